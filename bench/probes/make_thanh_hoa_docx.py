"""Writes thanh-hoa-2026.docx: a made-up provincial plan with a table of targets by year, tasks,
a budget and a signature block, ingested as an admin would for the probes (see README)."""

from pathlib import Path

import docx
d = docx.Document()
d.core_properties.title = ""
for t in ["ỦY BAN NHÂN DÂN TỈNH THANH HÓA", "Số: 112/KH-UBND", "Thanh Hóa, ngày 20 tháng 3 năm 2026"]:
    d.add_paragraph(t)
d.add_heading("KẾ HOẠCH Chuyển đổi số tỉnh Thanh Hóa năm 2026, định hướng đến năm 2028", 1)
d.add_heading("I. MỤC ĐÍCH, YÊU CẦU", 2)
d.add_paragraph("Đẩy mạnh chuyển đổi số toàn diện trên ba trụ cột chính quyền số, kinh tế số và xã hội số; lấy người dân, doanh nghiệp làm trung tâm, bảo đảm an toàn thông tin mạng.")
d.add_heading("II. CHỈ TIÊU", 2)
rows = [["TT", "Chỉ tiêu", "Đơn vị", "Năm 2026", "Năm 2028", "Cơ quan theo dõi"],
        ["1", "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình", "%", "60", "80", "Văn phòng UBND tỉnh"],
        ["2", "Tỷ lệ người dân trưởng thành có chữ ký số cá nhân", "%", "40", "60", "Sở Khoa học và Công nghệ"],
        ["3", "Tỷ trọng kinh tế số trong GRDP", "%", "12", "18", "Sở Tài chính"],
        ["4", "Số điểm phục vụ hỗ trợ dịch vụ công trực tuyến tại cấp xã", "điểm", "166", "166", "UBND cấp xã"]]
t = d.add_table(rows=len(rows), cols=len(rows[0]))
for i, r in enumerate(rows):
    for j, c in enumerate(r):
        t.cell(i, j).text = c
d.add_heading("III. NHIỆM VỤ", 2)
for p in ["1. Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ngành xây dựng Kho dữ liệu dùng chung của tỉnh, hoàn thành trước ngày 30/9/2026.",
          "2. Công an tỉnh chủ trì làm sạch dữ liệu dân cư, kết nối với cơ sở dữ liệu chuyên ngành của các sở.",
          "3. Sở Giáo dục và Đào tạo triển khai học bạ số tại 100% trường trung học phổ thông trong năm học 2026 - 2027.",
          "4. Các huyện, thị xã, thành phố duy trì tổ công nghệ số cộng đồng tại 100% thôn, tổ dân phố."]:
    d.add_paragraph(p)
d.add_heading("IV. KINH PHÍ", 2)
d.add_paragraph("Tổng kinh phí thực hiện Kế hoạch dự kiến 85 tỷ đồng, từ ngân sách tỉnh và nguồn xã hội hóa.")
for p in ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Minh"]:
    d.add_paragraph(p)
d.save(Path(__file__).with_name("thanh-hoa-2026.docx"))
