"""Document facts read from a text: number, date, issuing body, signer, entry into force."""

from knowledge.facts import asked_facts, instrument_facts, instrument_titles, titled_number

OFFICIAL = """# ỦY BAN NHÂN DÂN TỈNH NGHỆ AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 12/KH-UBND
Nghệ An, ngày 05 tháng 03 năm 2024

# KẾ HOẠCH
## Chuyển đổi số tỉnh Nghệ An năm 2024

Kế hoạch này có hiệu lực kể từ ngày 15/03/2024.

Đến năm 2025, 80% hồ sơ được xử lý trên môi trường mạng.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Văn Bình
"""

NEWS = ("Ngày 10/05/2023, Ban Thường vụ Tỉnh ủy đã ban hành Nghị quyết số 15-NQ/TU về chuyển đổi số. "
        "Nghị quyết số 21/NQ-TU của Tỉnh ủy đánh giá: nhận thức đóng vai trò quyết định.")


# A codification's source notes: each cites the instrument an article comes from.
CODIFIED = ("(Điều 1 Nghị định số 72/2013/NĐ-CP Quản lý, cung cấp, sử dụng dịch vụ internet và thông tin trên "
            "mạng ngày 15/07/2013 của Chính phủ, có hiệu lực thi hành kể từ ngày 01/09/2013 )\n\n"
            "(Điều 2 Nghị định số 72/2013/NĐ-CP, có hiệu lực thi hành kể từ ngày 01/09/2013)\n\n"
            "(Điều 1 Thông tư số 08/2017/TT-BTTTT Sửa đổi, bổ sung một số điều của Thông tư số 17/2016/TT-BTTTT "
            "ngày 28 tháng 6 năm 2016, có hiệu lực thi hành kể từ ngày 21/09/2017)\n\n"
            "(Điều 1 Thông tư số 20/2014/TT-BTTTT Quy định về các sản phẩm phần mềm nguồn mở được ưu tiên "
            "mua sắm, sử dụng trong cơ quan, tổ chức nhà nước ngày 05/12/2014 của Bộ Thông tin và Truyền thông, "
            "có hiệu lực thi hành kể từ ngày 20/01/2015 )")


def test_an_instrument_cited_with_its_title_was_issued_on_the_date_after_it_not_the_day_it_took_effect():
    facts = instrument_facts(CODIFIED, "72/2013/NĐ-CP", own=False)
    assert facts.issued == "15/07/2013" and facts.effective == "01/09/2013"
    # The date after the amended circular's number is that circular's, not the amending one's.
    assert instrument_facts(CODIFIED, "08/2017/TT-BTTTT", own=False).issued is None


def test_the_body_that_issued_a_codified_instrument_is_read_past_its_title_and_whole():
    facts = instrument_facts(CODIFIED, "20/2014/TT-BTTTT", own=False)
    assert facts.issuer == "Bộ Thông tin và Truyền thông"  # not "Bộ Thông tin"
    assert facts.issued == "05/12/2014" and facts.effective == "20/01/2015"


def test_official_text_header_and_signature_block():
    facts = instrument_facts(OFFICIAL, "12/KH-UBND", own=True)
    assert facts.issued == "05/03/2024"
    assert facts.issuer == "Ủy ban nhân dân tỉnh Nghệ An"
    assert facts.signer == "Trần Văn Bình"
    assert facts.effective == "15/03/2024"
    assert "Trần Văn Bình" in facts.evidence["signer"]


def test_news_gives_only_the_facts_attached_to_the_number():
    facts = instrument_facts(NEWS, "15-NQ/TU", own=False)
    assert facts.issued == "10/05/2023" and facts.issuer == "Ban Thường vụ Tỉnh ủy"
    other = instrument_facts(NEWS, "21/NQ-TU", own=False)
    assert other.issuer == "Tỉnh ủy"
    assert other.issued is None  # the article's other date is not this resolution's
    assert other.signer is None


def test_news_names_the_signer_of_the_instrument_it_reports():
    text = ("Ngày 12/02/2025, UBND tỉnh Nghệ An ban hành Kế hoạch số 118/KH-UBND về chuyển đổi số năm 2025, "
            "do Phó Chủ tịch UBND tỉnh Bùi Đình Long ký. Kế hoạch đặt ra 4 chỉ tiêu.")
    assert instrument_facts(text, "118/KH-UBND", own=False).signer == "Phó Chủ tịch UBND tỉnh Bùi Đình Long"
    named = "Kế hoạch số 05/KH-UBND do Chủ tịch UBND tỉnh Nghệ An Nguyễn Đức Trung ký ban hành."
    assert instrument_facts(named, "05/KH-UBND", own=False).signer == "Chủ tịch UBND tỉnh Nguyễn Đức Trung"
    done = "Kế hoạch số 06/KH-UBND do Chủ tịch UBND tỉnh Nghệ An Nguyễn Đức Trung đã ký ban hành."
    assert instrument_facts(done, "06/KH-UBND", own=False).signer == "Chủ tịch UBND tỉnh Nguyễn Đức Trung"


def test_a_later_sentence_naming_the_instrument_by_its_kind_gives_its_signer():
    text = ("Ngày 08/01/2026, UBND tỉnh Tuyên Quang ban hành Kế hoạch số 07/KH-UBND về chuyển đổi số. "
            "Kinh phí khoảng 86 tỷ đồng. Phó Chủ tịch UBND tỉnh Hoàng Việt Phương đã ký ban hành kế hoạch.")
    assert instrument_facts(text, "07/KH-UBND", own=False).signer == "Phó Chủ tịch UBND tỉnh Hoàng Việt Phương"
    # With two plans cited, "the plan" could be either: no signer is given.
    two = text.replace("Kinh phí", "Kế hoạch số 08/KH-UBND về du lịch. Kinh phí")
    assert instrument_facts(two, "07/KH-UBND", own=False).signer is None


def test_a_news_sentence_dating_an_instrument_signed_by_an_office_gives_date_body_and_signer():
    text = ("(BAG) - Ngày 03/02/2026, Chủ tịch Ủy ban nhân dân tỉnh An Giang ký Quyết định số 256/QĐ-UBND "
            "ban hành Chương trình chuyển đổi số năm 2026.")
    facts = instrument_facts(text, "256/QĐ-UBND", own=False)
    assert facts.issued == "03/02/2026" and facts.issuer == "Ủy ban nhân dân tỉnh An Giang"
    assert facts.signer == "Chủ tịch Ủy ban nhân dân tỉnh An Giang"  # named by office only


def test_what_is_asked_about_a_document():
    assert asked_facts("ai ký vậy?") == ["signer"]
    assert set(asked_facts("ban hanh ngay nao, ai ban hanh")) == {"issuer", "issued"}
    assert asked_facts("luật đó có hiệu lực từ ngày nào?") == ["effective"]
    assert asked_facts("chỉ tiêu đó nằm trong nghị quyết số mấy") == ["number"]
    # an agency asked about a task or a target is not the document's issuer
    assert asked_facts("cơ quan nào theo dõi, đánh giá chỉ tiêu này?") == []
    assert asked_facts("Dịch vụ công trực tuyến mức độ 4 là gì?") == []
    assert asked_facts("có mô hình chuyển đổi số nào ở công an thị trấn không?") == []
    # "số bao nhiêu" after a word ending in "số" asks a figure of it, not a document's number.
    assert asked_facts("Tỉnh mình đặt mục tiêu kinh tế số bao nhiêu % GRDP năm 2025 ạ?") == []
    assert asked_facts("kinh te so bao nhieu phan tram grdp") == []
    # Nor after a term ending in "số" at the end of the question; a second "số" still asks one.
    assert asked_facts("Cao Bằng năm 2026 tổng kinh phí cho chuyển đổi số bao nhiêu?") == []
    assert asked_facts("tinh toi co ke hoach chuyen doi so so may") == ["number"]
    assert asked_facts("Kế hoạch chuyển đổi số 2025 của Nghệ An số mấy?") == ["number"]
    assert asked_facts("luat nay so may, thong qua ngay nao") == ["number", "issued"]
    assert asked_facts("van ban do so may vay") == ["number"]
    # "có <kind> … nào?" ending the question asks which instrument; a task "nào" does not.
    assert asked_facts("Đắk Lắk có nghị quyết chuyển đổi số nào?") == ["number"]
    assert asked_facts("tinh toi co ke hoach cds nao") == ["number"]
    assert asked_facts("Trong nghị quyết 03 có nhiệm vụ nào nhắc tỉnh tôi không?") == []


CODIFICATION = ("(Điều 1 Luật số 67/2006/QH11 Công nghệ thông tin ngày 29/06/2006 của Quốc hội, có hiệu lực thi "
                "hành kể từ ngày 01/01/2007 )\n(Điều 2 Nghị định số 72/2013/NĐ-CP Quản lý, cung cấp, sử dụng dịch "
                "vụ internet và thông tin trên mạng ngày 15/07/2013 của Chính phủ)\n"
                "Giấy phép cấp trước ngày có hiệu lực của Luật Giao dịch điện tử số 20/2023/QH15 vẫn có giá trị. "
                "Theo Nghị quyết của Chính phủ số 03/NQ-CP, các bộ triển khai.")


def test_instruments_are_known_by_the_titles_texts_cite_them_under():
    titles = instrument_titles([CODIFICATION])
    assert titled_number("Luật Công nghệ thông tin có hiệu lực từ ngày nào?", titles) == "67/2006/QH11"
    assert titled_number("luat giao dich dien tu so may", titles) == "20/2023/QH15"
    assert titled_number("Nghị định Quản lý, cung cấp, sử dụng dịch vụ Internet và thông tin trên mạng "
                         "ban hành ngày nào?", titles) == "72/2013/NĐ-CP"
    # Words that are not a title ("của Chính phủ") name nothing; nor does a title not asked about.
    assert titled_number("Nghị quyết của Chính phủ có hiệu lực khi nào?", titles) is None
    assert titled_number("Luật Công nghệ cao có hiệu lực từ ngày nào?", titles) is None


def test_an_issuing_body_on_two_lines_under_a_title_keeps_its_province_capitalised():
    text = ("# Kế hoạch chuyển đổi số tỉnh Lâm Đồng\n\nỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n-------\n\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 218/KH-UBND\n\nLâm Đồng, ngày 26 tháng 9 năm 2025\n\n"
            "KẾ HOẠCH\nChuyển đổi số giai đoạn 2026 - 2030\n")
    facts = instrument_facts(text, "218/KH-UBND", own=True)
    assert facts.issuer == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert facts.evidence["issuer"] == "ỦY BAN NHÂN DÂN / TỈNH LÂM ĐỒNG"
    # The kind line ends the header: a document without a body line names none.
    assert instrument_facts("KẾ HOẠCH\nChuyển đổi số\n\nSố: 1/KH-UBND\n", "1/KH-UBND", own=True).issuer is None


def test_a_council_resolution_signed_under_its_chairs_title_alone_names_its_signer():
    text = ("HỘI ĐỒNG NHÂN DÂN\nTỈNH ĐIỆN BIÊN\n\nSố: 15/2025/NQ-HĐND\n\nNGHỊ QUYẾT\nQuy định chính sách hỗ trợ\n\n"
            "Điều 1. Mức hỗ trợ 300.000 đồng/người/tháng.\n\nCHỦ TỊCH\n\nLò Văn Phương\n")
    facts = instrument_facts(text, "15/2025/NQ-HĐND", own=True)
    assert facts.signer == "Lò Văn Phương" and facts.issuer == "Hội đồng nhân dân tỉnh Điện Biên"
