"""A report version as a file: JSON (the API's representation), CSV (UTF-8 with a byte-order
mark, so that Excel reads the Vietnamese), XLSX; the PDF is in ``pdf.py``. Every file starts
with the same heading (what, whose, which period and window, which version) and lists the
indicators of ``indicators.py``; times in Vietnam time, money in integer đồng."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from egov_shared.timeutil import to_vn
from svc_reporting.periodic.indicators import SECTION_TITLES, Indicator, indicators
from svc_reporting.periodic.schemas import Report

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STATUS_VI = {"draft": "Dự thảo", "submitted": "Đã gửi"}
SUBMISSION_VI = {"queued": "chờ gửi", "retrying": "đang gửi lại", "failed": "gửi không thành công",
                 "submitted": "hệ thống quốc gia đã tiếp nhận", "accepted": "đã được chấp nhận",
                 "rejected": "bị từ chối"}
COLUMNS = ("Nhóm", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Giá trị")


def vn_time(moment: datetime | None) -> str:
    shown = to_vn(moment)
    return shown.strftime("%d/%m/%Y %H:%M:%S") if shown else ""


def file_name(report: Report, extension: str) -> str:
    """``bao-cao-TTHC-THANG-H56-2026-11-v1.pdf``: ASCII, with the period and the version."""
    return (f"bao-cao-{report.template}-{report.agency_id}-{report.period}"
            f"-v{report.version}.{extension}")


def heading(report: Report) -> list[tuple[str, str]]:
    rows = [("Báo cáo", report.template_name), ("Mã mẫu báo cáo", report.template),
            ("Đơn vị", report.agency_id), ("Kỳ báo cáo", f"{report.period_label} "
                                                       f"({report.period})"),
            ("Thời gian chốt số liệu", f"từ {vn_time(report.window_start)} "
                                       f"đến {vn_time(report.window_end)}"),
            ("Hạn gửi", vn_time(report.deadline_at)), ("Phiên bản", str(report.version)),
            ("Trạng thái", _status(report)), ("Ngày lập", vn_time(report.generated_at)),
            ("Người lập", report.generated_by)]
    if report.corrects:
        rows.append(("Lý do điều chỉnh", report.correction_reason or ""))
    if report.note:
        rows.append(("Thuyết minh", report.note))
    return [*rows, ("Mã băm nội dung (SHA-256)", report.content_hash)]


def _status(report: Report) -> str:
    text = STATUS_VI[report.status]
    submission = report.submission
    if submission is not None:
        text += f" ({SUBMISSION_VI[submission.status]}"
        text += ", quá hạn)" if submission.late else ")"
    return text


def rows_of(report: Report) -> list[Indicator]:
    return indicators(report.content["sections"])


def to_json(report: Report) -> bytes:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2).encode()


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(heading(report))
    writer.writerow([])
    writer.writerow(COLUMNS)
    for i in rows_of(report):
        writer.writerow([SECTION_TITLES.get(i.section, i.section), i.code, i.label, i.unit,
                         "" if i.value is None else i.value])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Báo cáo"
    for label, value in heading(report):
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([])
    sheet.append(list(COLUMNS))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for i in rows_of(report):
        sheet.append([SECTION_TITLES.get(i.section, i.section), i.code, i.label, i.unit,
                      i.value])
        sheet.cell(sheet.max_row, 5).number_format = "#,##0" if isinstance(
            i.value, int) else "#,##0.00"
    for column, width in zip("ABCDE", (34, 38, 48, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
