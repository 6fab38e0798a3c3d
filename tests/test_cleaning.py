import pytest

from knowledge.cleaning import clean
from knowledge.loaders import load_bytes, load_file
from knowledge.store import bundled_corpus

SEEDS = sorted((bundled_corpus() / "seeds").iterdir())


def _clean_seed(index: int) -> str:
    doc = load_file(SEEDS[index])
    return clean(doc.text, doc.markdown)[0]


def test_related_news_list_is_removed():
    text = _clean_seed(0)  # Hòa Bình: "Các tin khác" with a hail-storm story
    assert "mưa đá" not in text
    assert "Các tin khác" not in text
    assert "100% cơ sở dữ liệu dùng chung" in text


def test_reader_comments_and_visitor_counters_are_removed():
    assert "Ý kiến bạn đọc" not in _clean_seed(1)
    soc_trang = _clean_seed(2)
    assert "Truy cập" not in soc_trang and "BÀI VIẾT LIÊN QUAN" not in soc_trang
    assert "80% dân số có tài khoản thanh toán điện tử" in soc_trang


def test_menus_share_buttons_and_banners_are_removed():
    bao_lam = _clean_seed(4)
    assert "zalo-icon" not in bao_lam and "Logo" not in bao_lam
    assert "có thể bạn quan tâm" not in bao_lam
    assert "Multimedia" not in _clean_seed(1)
    assert "Banner" not in _clean_seed(2)


@pytest.mark.parametrize("line", ["Cỡ chữ: A- A A+ | In bài", "Chia sẻ: Facebook | Zalo | In bài", "Cỡ chữ A- A+ Bản in"])
def test_font_size_and_print_buttons_are_removed(line):
    text = clean(f"Tỉnh ban hành kế hoạch.\n\n{line}\n\nKinh phí 86 tỷ đồng.", False)[0]
    assert "Cỡ chữ" not in text and "In bài" not in text and "Bản in" not in text and "86 tỷ đồng" in text


def test_the_rules_under_an_official_header_are_removed():
    text = clean("HỘI ĐỒNG NHÂN DÂN\nTỈNH ĐIỆN BIÊN\n-------\n\nSố: 15/2025/NQ-HĐND\n_______________\n", False)[0]
    assert "---" not in text and "___" not in text and "TỈNH ĐIỆN BIÊN" in text


def test_photo_credits_and_generic_captions_are_removed_but_a_captions_facts_stay():
    soc_trang = _clean_seed(2)
    assert "từ trái sang" not in soc_trang and "Ảnh: C.B" not in soc_trang
    assert "Các ngân hàng thương mại tích cực" not in _clean_seed(0)
    # A caption that names where something happened is the only place the article says so.
    assert "Công an thị trấn Lịch Hội Thượng, huyện Trần Đề (Sóc Trăng)." in soc_trang


def test_hard_wrapped_lines_are_joined():
    bac_ninh = _clean_seed(3)
    assert "Xác định chuyển đổi số là công cụ đột phá" in bac_ninh


@pytest.mark.parametrize("index", range(5))
def test_article_body_survives(index):
    assert len(_clean_seed(index)) > 2500


def test_front_matter_date_in_iso_form_is_the_documents_date():
    from knowledge.metadata import extract

    text, front = clean("---\ntitle: Thuật ngữ\ndate: 2023-06-22\n---\n\n# GRDP\n\n"
                        "Theo Nghị định ban hành ngày 05/09/2022, GRDP là tổng sản phẩm trên địa bàn.\n", True)
    assert extract(text, front, None, True).date == "2023-06-22"


@pytest.mark.parametrize("index,byline", [(0, "Lê Chung"), (1, "Thúy Hồng"), (4, "Hà Lê")])
def test_authors_byline_at_the_end_is_removed(index, byline):
    text = _clean_seed(index)
    assert not text.endswith(byline)
    assert byline not in text.splitlines()[-1]


def test_signers_name_under_the_signature_block_stays():
    text, _ = clean("Điều 3. Nghị quyết này có hiệu lực từ ngày ký ban hành và được thực hiện trên toàn tỉnh.\n\n"
                    "TM. ỦY BAN NHÂN DÂN\n\nCHỦ TỊCH\n\nNguyễn Văn An\n")
    assert text.endswith("Nguyễn Văn An")


def test_an_area_glued_to_the_next_word_is_set_apart():
    # A lost superscript ("50 m²tại" -> "50 m2tại") must not hide the figure of square metres.
    text = clean("Tổng diện tích tối thiểu 50 m2tại đô thị loại I; 30 m2tại các khu vực khác.")[0]
    assert "50 m2 tại đô thị" in text and "30 m2 tại các" in text


def test_markdown_emphasis_never_reaches_the_text_but_an_escaped_asterisk_does():
    text = clean("**Điều 2.** Nghị quyết này có hiệu lực thi hành kể từ ngày ký ban hành.\n\n"
                 "*Nơi nhận:*\n\n| **Số hiệu** | 67/2018/QH14 |\n\nDiện tích 5 \\* 3 m.", markdown=True)[0]
    assert "Điều 2. Nghị quyết này" in text and "Nơi nhận:" in text and "| Số hiệu |" in text
    assert text.count("*") == 1 and "5 * 3 m" in text


def test_bold_and_italic_of_a_web_page_are_not_kept_as_asterisks():
    page = ("<html><head><title>Tin</title></head><body><article><h1>Hà Tĩnh sơ kết chuyển đổi số</h1>"
            "<p><strong>Ngày 10/5/2026, UBND tỉnh Hà Tĩnh tổ chức hội nghị sơ kết chuyển đổi số.</strong></p>"
            "<p>Toàn tỉnh tiếp nhận 152.300 hồ sơ, trong đó <em>78%</em> được nộp trực tuyến.</p>"
            "</article></body></html>").encode()
    doc = load_bytes("tin.html", page)
    text = clean(doc.text, doc.markdown)[0]
    assert "Ngày 10/5/2026, UBND" in text and "trong đó 78% được" in text and "*" not in text


def test_an_article_glued_to_the_clause_before_it_is_an_article_of_its_own():
    from knowledge.chunking import chunk
    text = ("Điều 3.3.TL.1.4. Quyền của doanh nghiệp\n\n(Điều 4 Thông tư liên tịch số 07/2012/TTLT-BTTTT-BVHTTDL)\n\n"
            "1. Thiết lập hệ thống kiểm tra.\n\n2. Đơn phương từ chối cung cấp dịch vụ trái pháp luật."
            "Điều 3.3.TL.1.5. Trách nhiệm của doanh nghiệp\n\n(Điều 5 Thông tư liên tịch số 07/2012/TTLT-BTTTT-BVHTTDL)\n\n"
            "1. Lưu trữ nội dung thông tin số chỉ mang tính chất trung chuyển.")
    cleaned, _ = clean(text, markdown=True)
    heading = {p.text.split("\n")[-1][:12]: p.heading for p in chunk(cleaned)}
    assert heading["1. Lưu trữ n"].startswith("Điều 5, Thông tư liên tịch 07/2012")
    assert all("Điều 3.3.TL" not in p.text for p in chunk(cleaned))
    # A reference ending a sentence is no heading: "… tại Điều 5. Tổ chức …" keeps its space.
    assert "tại Điều 5. Tổ chức" in clean("Theo quy định tại Điều 5. Tổ chức phải báo cáo.")[0]
