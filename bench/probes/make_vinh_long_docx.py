"""Writes vinh-long-2026.docx: a made-up plan of a merged province (Vĩnh Long with the former Bến Tre and Trà Vinh),
with targets by year in lists, a task table, a budget and a signature block, ingested as an admin
would for the probes (see README)."""

from pathlib import Path

import docx
d = docx.Document()
d.core_properties.title = ""
for t in ["ỦY BAN NHÂN DÂN TỈNH VĨNH LONG", "Số: 45/KH-UBND", "Vĩnh Long, ngày 15 tháng 2 năm 2026"]:
    d.add_paragraph(t)
d.add_heading("KẾ HOẠCH Chuyển đổi số tỉnh Vĩnh Long giai đoạn 2026 - 2030", 1)
d.add_heading("I. MỤC ĐÍCH, YÊU CẦU", 2)
d.add_paragraph("Triển khai Nghị quyết số 57-NQ/TW và Nghị quyết số 03/NQ-CP; thống nhất hạ tầng số, "
                "dữ liệu và nền tảng dùng chung của tỉnh Vĩnh Long và tỉnh Bến Tre (cũ) sau khi hợp nhất từ ngày 01/7/2025.")
d.add_heading("II. MỤC TIÊU", 2)
targets = {
    "1. Mục tiêu đến năm 2026": [
        "100% hồ sơ công việc tại cấp tỉnh và 90% hồ sơ công việc tại cấp xã được xử lý trên môi trường mạng (trừ hồ sơ mật);",
        "Tỷ lệ dịch vụ công trực tuyến toàn trình đạt 75%;",
        "50% hộ nuôi tôm quy mô lớn ứng dụng cảm biến giám sát môi trường ao nuôi;",
        "Hoàn thành chuyển toàn bộ dữ liệu của Cổng dịch vụ công tỉnh Bến Tre (cũ) về hệ thống chung của tỉnh."],
    "2. Mục tiêu đến năm 2030": [
        "Kinh tế số chiếm 25% GRDP của tỉnh;",
        "80% người dân trưởng thành có chữ ký số hoặc chữ ký điện tử cá nhân;",
        "100% tàu cá có chiều dài từ 15 m trở lên lắp thiết bị giám sát hành trình kết nối với hệ thống của tỉnh;",
        "Phủ sóng 5G tại 100% khu công nghiệp và trung tâm các phường."],
}
for year, items in targets.items():
    d.add_paragraph(year)
    for p in items:
        d.add_paragraph(p, style="List Bullet")
d.add_heading("III. NHIỆM VỤ", 2)
rows = [["Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"],
        ["Xây dựng cơ sở dữ liệu nuôi trồng thủy sản của tỉnh", "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ", "Quý IV/2026"],
        ["Hợp nhất Trung tâm điều hành đô thị thông minh (IOC) của hai tỉnh cũ", "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh", "Tháng 12/2026"],
        ["Triển khai du lịch thông minh tại Khu du lịch Cồn Phụng và Khu di tích Ao Bà Om", "Sở Văn hóa, Thể thao và Du lịch", "UBND các xã, phường liên quan", "Năm 2027"],
        ["Số hóa hồ sơ địa chính của các xã thuộc tỉnh Bến Tre (cũ)", "Sở Nông nghiệp và Môi trường", "UBND các xã", "Năm 2028"]]
t = d.add_table(rows=len(rows), cols=len(rows[0]))
for i, r in enumerate(rows):
    for j, c in enumerate(r):
        t.cell(i, j).text = c
d.add_heading("IV. KINH PHÍ", 2)
d.add_paragraph("Tổng kinh phí thực hiện giai đoạn 2026 - 2030 dự kiến 1.200 tỷ đồng; riêng năm 2026 là 180 tỷ đồng, "
                "trong đó ngân sách tỉnh 150 tỷ đồng, còn lại huy động xã hội hóa.")
d.add_heading("V. TỔ CHỨC THỰC HIỆN", 2)
d.add_paragraph("Sở Khoa học và Công nghệ là cơ quan thường trực, theo dõi, đôn đốc các sở, ngành, địa phương; "
                "tổng hợp, báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện trước ngày 15/12 hằng năm.")
for p in ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lâm Văn Bi"]:
    d.add_paragraph(p)
d.save(Path(__file__).with_name("vinh-long-2026.docx"))
