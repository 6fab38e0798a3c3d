"""Every user-facing text of the bot's channels, once, in Vietnamese.

The answer texts themselves ("Kho dữ liệu chưa có …") belong to the answer pipeline
(``knowledge.answering.types``); these are the conversation's own: greetings, help, command
replies and errors. Placeholders are filled with ``str.format``.
"""

WELCOME = ("Xin chào! Mình là Trợ lý Chuyển đổi số. Mình trả lời câu hỏi về chuyển đổi số dựa trên "
           "{documents} văn bản (nghị quyết, kế hoạch, văn bản pháp luật, bài báo) và luôn ghi rõ nguồn.")
COVERED = "Địa phương đã có dữ liệu: {provinces}."
TRY_EXAMPLE = "Bạn có thể thử một câu hỏi:"
EXAMPLES = [
    "Dịch vụ công trực tuyến mức độ 4 là gì?",
    "Đến năm 2030 Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP?",
    "Mục tiêu năm 2025 của tỉnh tôi?",
]
HELP = ("Gõ câu hỏi về chuyển đổi số, có dấu hay không dấu đều được, ví dụ: «Dịch vụ công trực tuyến toàn trình "
        "là gì?», «Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?».\n"
        "/tinh <tên tỉnh> — lưu tỉnh của bạn để hỏi «tỉnh tôi»\n"
        "/nguon — xem các đoạn văn bản đã trích · /them — xem thêm đoạn liên quan\n"
        "/moi — bắt đầu chủ đề mới\n"
        "Sau mỗi câu trả lời, bạn có thể góp ý 👍 hoặc 👎.")
FOLLOW_UP_HELP = ("Bạn có thể hỏi tiếp câu trước, ví dụ «còn năm 2030 thì sao?», «ai ký văn bản đó?». "
                  "Mình nhớ ngữ cảnh {minutes} phút; gõ /moi để bắt đầu chủ đề mới.")
ADMIN_HELP = ("Quản trị: /add (gửi kèm tệp txt, md, html, pdf, docx; hoặc dùng dòng lệnh cdsbot ingest), "
              "/docs [trang] — danh sách văn bản, /remove ID — xoá văn bản, /reindex — lập lại chỉ mục, "
              "/stats — thống kê.")

TERMINAL_HELP = "Gõ câu hỏi rồi nhấn Enter; /help xem hướng dẫn, /thoat để thoát."
GOODBYE = "Tạm biệt!"

UNKNOWN_COMMAND = "Mình chưa biết lệnh {command}. Gõ /help để xem hướng dẫn."
TOO_FAST = "Bạn hỏi hơi nhanh. Vui lòng đợi khoảng {seconds} giây rồi hỏi tiếp nhé."
NEED_PROVINCE = "Bạn chưa chọn tỉnh của mình. Hãy chọn tỉnh, thành phố rồi hỏi lại nhé."
ASK_FIRST = "Chưa có câu trả lời nào có nguồn. Bạn hãy đặt câu hỏi trước nhé."
NO_MORE = "Không còn đoạn liên quan nào khác."
SOURCES_GONE = "Các đoạn trích này không còn trong kho dữ liệu."
NEW_TOPIC = "Đã bắt đầu chủ đề mới. Câu hỏi tiếp theo sẽ không dựa vào các câu trước."
# Replies to a message that is only a greeting, thanks, an acknowledgement or a goodbye.
SMALL_TALK = {
    "hello": "Chào bạn! Bạn cứ hỏi mình về chuyển đổi số nhé, ví dụ: «Dịch vụ công trực tuyến mức độ 4 là gì?»",
    "thanks": "Không có gì ạ! Bạn cần hỏi thêm gì cứ nhắn mình nhé.",
    "ok": "Dạ. Bạn cần hỏi thêm gì cứ nhắn mình nhé.",
    "bye": "Tạm biệt bạn! Khi cần, bạn cứ nhắn mình nhé.",
}
THANKS = "Cảm ơn bạn đã góp ý!"
FEEDBACK_FIRST = "Bạn hãy đặt câu hỏi trước rồi góp ý nhé."
BUTTON_GONE = "Nút này không còn dùng được."
TEXT_ONLY = ("Xin lỗi, mình chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi, ví dụ: "
             "«Dịch vụ công trực tuyến mức độ 4 là gì?»")

PICK_PROVINCE = "Bạn ở tỉnh, thành phố nào?"
PROVINCES = "Các tỉnh, thành phố: {names}."
PROVINCE_UNKNOWN = "Mình chưa nhận ra «{name}». Ví dụ: /tinh Đắk Lắk, /tinh TP HCM, /tinh hoa binh."
PROVINCE_SAVED = "Đã lưu tỉnh của bạn: {province}. Giờ bạn có thể hỏi về «tỉnh tôi»."

NOT_ADMIN = "Xin lỗi, chức năng này chỉ dành cho quản trị viên."
ADD_HOW = "Hãy gửi tệp kèm chú thích /add, hoặc trả lời tin nhắn có tệp bằng /add."
ADD_NO_FILES = ("Kênh này chưa nhận được tệp văn bản. Hãy thêm văn bản qua Telegram (/add) hoặc dòng lệnh: "
                "cdsbot ingest TỆP.")
FILE_TOO_LARGE = "Tệp quá lớn ({size} MB); giới hạn là {limit} MB."
FILE_TYPE = "Chưa hỗ trợ loại tệp này. Hãy gửi: {types}."
FILE_FAILED = "Không thêm được tệp: {reason}"
FILE_STATUS = {"added": "Đã thêm", "replaced": "Đã cập nhật", "unchanged": "Không có gì thay đổi"}
FILE_DONE = "{status} [{id}] «{title}»\n{passages} đoạn · địa phương: {provinces}.\nCó thể hỏi về văn bản này ngay."
NATIONWIDE = "toàn quốc / không rõ"
DOCS_TITLE = "Văn bản ({total}), trang {page}/{pages}:"
REMOVE_HOW = "Cách dùng: /remove ID (xem ID bằng /docs)."
NO_DOCUMENT = "Không có văn bản ID {id}. Xem danh sách bằng /docs."
REMOVE_ASK = "Xoá văn bản [{id}] «{title}»?"
REMOVED = "Đã xoá [{id}] «{title}»."
REMOVE_CANCELLED = "Đã huỷ, không xoá gì."
REINDEXING = "Đang lập lại chỉ mục…"
REINDEX_PROGRESS = "Đang lập lại chỉ mục… đã nhúng {done}/{total} đoạn mới"
REINDEXED = "✅ Đã lập lại chỉ mục: {passages} đoạn trong kho."
REINDEX_REFUSED = "Không thể lập lại chỉ mục: {reason}."
STATS = "Thống kê {days} ngày: {questions} câu hỏi, chưa trả lời được {rate:.0%}, 👍 {up}, 👎 {down}."
STATS_DAY = "{day}: {questions} câu ({abstained} chưa trả lời)"
STATS_UNANSWERED = "Câu hỏi chưa trả lời được nhiều nhất (nên bổ sung văn bản):"
ERROR = "Xin lỗi, đã có lỗi khi xử lý. Bạn thử lại sau ít phút nhé."

# Button labels, and how a channel without buttons says the same thing in words.
LABELS = {"sources": "📄 Nguồn", "more": "➕ Thêm", "up": "👍", "down": "👎", "previous": "◀ Trước",
          "next": "Sau ▶", "remove": "🗑 Xoá", "cancel": "Huỷ"}
HINTS = {
    "sources": "/nguon để xem đoạn trích", "more": "/them để xem thêm", "feedback": "👍 hoặc 👎 để góp ý",
    "docs": "/docs {page} để xem trang {page}", "confirm_remove": "/remove {id} xacnhan để xác nhận",
    "province": "/tinh kèm tên tỉnh (ví dụ: /tinh Đắk Lắk)",
}
