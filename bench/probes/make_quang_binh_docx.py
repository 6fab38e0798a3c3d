"""Writes quang-binh-de-an-2025.docx: a made-up provincial decision approving a scheme, its body
in Word heading styles ("I. MỤC TIÊU", "1. Mục tiêu chung"), its targets by year in bullet
lists, tasks, a budget and a signature block, ingested as an admin would for the probes."""

from pathlib import Path

import docx

d = docx.Document()
d.core_properties.title = ""
for line in ["ỦY BAN NHÂN DÂN TỈNH QUẢNG BÌNH", "Số: 2150/QĐ-UBND", "Quảng Bình, ngày 05 tháng 8 năm 2025",
             "QUYẾT ĐỊNH", "Phê duyệt Đề án phát triển chính quyền số tỉnh Quảng Bình giai đoạn 2025 - 2030"]:
    d.add_paragraph(line)
d.add_heading("I. MỤC TIÊU", level=1)
d.add_heading("1. Mục tiêu chung", level=2)
d.add_paragraph("Xây dựng chính quyền số tỉnh Quảng Bình hoạt động hiệu lực, hiệu quả, lấy người dân và doanh "
                "nghiệp làm trung tâm.")
d.add_heading("2. Mục tiêu cụ thể", level=2)
d.add_paragraph("a) Đến năm 2027:")
for t in ["95% hồ sơ thủ tục hành chính được tiếp nhận, giải quyết trực tuyến;",
          "100% cơ quan nhà nước cấp tỉnh, cấp xã sử dụng hệ thống quản lý văn bản và điều hành;",
          "Kết nối 15 cơ sở dữ liệu chuyên ngành với nền tảng tích hợp, chia sẻ dữ liệu của tỉnh."]:
    d.add_paragraph(t, style="List Bullet")
d.add_paragraph("b) Đến năm 2030:")
for t in ["100% hồ sơ thủ tục hành chính đủ điều kiện được giải quyết trực tuyến toàn trình;",
          "Tỷ lệ người dân hài lòng với dịch vụ công trực tuyến đạt trên 90%."]:
    d.add_paragraph(t, style="List Bullet")
d.add_heading("II. NHIỆM VỤ VÀ GIẢI PHÁP", level=1)
d.add_paragraph("1. Sở Khoa học và Công nghệ chủ trì xây dựng Trung tâm điều hành thông minh (IOC) của tỉnh, "
                "hoàn thành trong năm 2026.")
d.add_paragraph("2. Văn phòng UBND tỉnh chủ trì nâng cấp Cổng dịch vụ công của tỉnh, hoàn thành trước ngày 31/12/2025.")
d.add_heading("III. KINH PHÍ", level=1)
d.add_paragraph("Tổng kinh phí thực hiện Đề án dự kiến 320 tỷ đồng, trong đó ngân sách tỉnh 250 tỷ đồng.")
d.add_paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
for line in ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Phan Phong Phú"]:
    d.add_paragraph(line)
d.save(Path(__file__).with_name("quang-binh-de-an-2025.docx"))
