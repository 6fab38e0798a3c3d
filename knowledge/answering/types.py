"""What the answer pipeline hands back: an answer, its sources, and its fixed reply texts."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from ..conversation import Context
from ..metadata import KIND_LABELS

NO_DATA = "Xin lỗi, kho dữ liệu chưa có dữ liệu để trả lời câu hỏi này."


OFF_TOPIC = ("Xin lỗi, câu hỏi này nằm ngoài phạm vi của trợ lý. Mình chỉ trả lời về chuyển đổi số: "
             "chính quyền số, kinh tế số, xã hội số, dịch vụ công trực tuyến và các nghị quyết, kế hoạch liên quan.")


EMPTY = "Bạn hãy gõ câu hỏi bằng chữ, ví dụ: «Dịch vụ công trực tuyến mức độ 4 là gì?»"


NO_TOPIC = ("Bạn muốn hỏi về nội dung gì ạ? Bạn nêu rõ chủ đề giúp mình, ví dụ: «Dịch vụ công trực tuyến "
            "mức độ 4 là gì?» hoặc «Mục tiêu chuyển đổi số năm 2025 của tỉnh Đắk Lắk?»")


NEED_PROVINCE = ("Bạn chưa chọn tỉnh của mình. Hãy cho biết tỉnh, thành phố (ví dụ: /tinh Đắk Lắk) "
                 "rồi hỏi lại nhé.")


@dataclass
class Source:
    doc: str  # the document's file name
    path: str  # its key: the file name, or its path inside the folder it was ingested from
    doc_id: int
    title: str
    kind: str
    number: str | None
    date: str | None
    provinces: list[str]  # labels, e.g. "Hòa Bình (nay thuộc tỉnh Phú Thọ)"
    passage_id: int
    score: float
    text: str
    heading: str = ""  # where the passage sits: "Điều 10, Nghị định 43/2011/NĐ-CP — …", a table's group

    def cite(self) -> str:
        """One line naming the document: kind, number, title, date and province; for a legal
        article, the article and its instrument first ("Điều 10, Nghị định 43/2011/NĐ-CP")."""
        label = KIND_LABELS.get(self.kind, "Văn bản")
        head = self.title if self.title.lower().startswith(label.lower()) else f"{label}: {self.title}"
        article = re.search(r"Điều \d+[a-zđ]?, [^—]+?(?= —|$)", self.heading or "")
        if article:
            head = f"{article.group(0)} ({head})"
        extra = []
        if self.number and self.number not in self.title and self.kind != "glossary":
            extra.append(f"về {self.number}" if self.kind == "news" else f"số {self.number}")
        if self.date:
            y, m, d = self.date.split("-")
            extra.append(f"ngày {d}/{m}/{y}")
        if self.provinces:
            extra.append(", ".join(self.provinces))
        return head + (f" ({'; '.join(extra)})" if extra else "")


@dataclass
class Answer:
    question: str
    text: str
    sources: list[Source] = field(default_factory=list)
    abstained: bool = False
    province: str | None = None  # label of the province the question is about
    year: int | None = None
    more: list[int] = field(default_factory=list)  # further passage ids, for "more"
    notice: str | None = None  # e.g. the question was cut
    needs_province: bool = False  # "tỉnh tôi" asked with no saved province
    latency_ms: float = 0.0
    features: dict = field(default_factory=dict)  # what the abstention decision saw (evaluation, tuning)
    reading: str | None = None  # how a follow-up was read: "Hiểu là: …"
    context: Context | None = None  # what the next message of the conversation may refer to

    def to_dict(self) -> dict:
        return asdict(self)

    def citations(self) -> list[str]:
        """One line per distinct citation, in order: a document once, but each legal article
        apart ("Điều 9, Nghị định 72/2013/NĐ-CP …" and the "Điều 36, …" it refers to)."""
        return [line for _, line in dict.fromkeys((s.doc_id, s.cite()) for s in self.sources)]
