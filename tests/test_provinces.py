from knowledge import provinces as gz


def test_gazetteer_has_63_former_and_34_current_units():
    assert len(gz.FORMER) == 63
    assert len(gz.CURRENT) == 34


def test_aliases_resolve():
    assert gz.resolve("Daklak").name == "Đắk Lắk"
    assert gz.resolve("TP HCM").name == "Hồ Chí Minh"
    assert gz.resolve("TP. Hồ Chí Minh").name == "Hồ Chí Minh"
    assert gz.resolve("hoa binh").name == "Hòa Bình"
    assert gz.resolve("Hoà Bình").name == "Hòa Bình"


def test_new_province_covers_its_former_units():
    phu_tho = gz.resolve("Phú Thọ")
    assert set(phu_tho.scope) == {"Phú Thọ", "Vĩnh Phúc", "Hòa Bình"}


def test_former_province_is_labelled_with_its_new_unit():
    assert gz.resolve("Hòa Bình").label() == "Hòa Bình (nay thuộc tỉnh Phú Thọ)"
    assert gz.describe_former("Sóc Trăng") == "Sóc Trăng (nay thuộc TP Cần Thơ)"


def test_accented_text_must_match_a_real_spelling():
    # "lòng an" folds to "long an" but is not the province Long An.
    assert gz.find_places("người dân hài lòng an tâm") == []


def test_documents_need_capitalised_names():
    assert gz.find_places("vì hòa bình và phát triển", strict_case=True) == []
    assert gz.find_places("tỉnh Hòa Bình", strict_case=True) == [("Hòa Bình", 1)]


def test_unknown_name_resolves_to_none():
    assert gz.resolve("Atlantis") is None


def test_nam_before_a_year_is_a_year_when_another_province_is_named():
    # Typed without marks, "cap quang nam 2026" is "cáp quang năm 2026", not Quảng Nam.
    assert gz.find_places("lam dong muon bao nhieu % ho co cap quang nam 2026") == [("Lâm Đồng", 1)]
    assert gz.find_places("ke hoach cds quang nam 2025") == [("Quảng Nam", 1)]  # the only province named
    assert gz.find_places("Quảng Nam và Lâm Đồng năm 2030") != [("Lâm Đồng", 1)]  # typed with marks


def test_a_former_unit_named_beside_its_new_unit_is_not_labelled_twice():
    assert gz.describe_all(["Hà Giang", "Tuyên Quang"]) == ["Tuyên Quang"]
    assert gz.describe_all(["Hà Giang"]) == ["Hà Giang (nay thuộc tỉnh Tuyên Quang)"]
    assert gz.describe_all(["Sóc Trăng", "Đắk Lắk"]) == ["Sóc Trăng (nay thuộc TP Cần Thơ)", "Đắk Lắk"]
