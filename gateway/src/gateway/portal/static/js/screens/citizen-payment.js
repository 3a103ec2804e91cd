// Paying a dossier's fee online: the portal opens a payment (POST …/payments), sends the
// browser to the payment platform's page (in the demo: its SIMULATOR), and the platform sends
// it back to the portal's root with ?MaThamChieu=… (handled in citizen.js). Then the receipt
// (biên lai điện tử), printable and downloadable.

import { api } from "../api.js";
import { busy, clear, facts, fmtDateTime, fmtVnd, h, notice, problemBox, saveBlob, section, table } from "../ui.js";
import { vnError } from "./citizen-common.js";

export const PAYMENT_KEY = "egov.payment";
const STATES = { pending: "Đang chờ thanh toán", paid: "Đã thanh toán", failed: "Không thành công" };

function amountDue(d, history, procedure) {
  const asked = [...history.entries].reverse().find((e) => e.action === "request_payment");
  return Number(asked?.data?.amount) || procedure.total_fee || 0;
}

async function pay(d, button, box) {
  await busy(button, async () => {
    try {
      const payment = await api.post(`/api/v1/dossiers/${encodeURIComponent(d.code)}/payments`);
      if (payment.status !== "pending" || !payment.payment_url) throw new Error("Giao dịch không còn chờ thanh toán.");
      sessionStorage.setItem(PAYMENT_KEY, JSON.stringify({ reference: payment.reference, dossier: d.code }));
      location.assign(payment.payment_url);
    } catch (err) {
      clear(box, problemBox(vnError(err)));
    }
  });
}

export function paymentSection({ d, history, payments, procedure, ctx, agencies, applicantName }) {
  const due = amountDue(d, history, procedure);
  if (d.status_code !== 6 && !payments.length && !due) return null;
  const box = h("div", {});
  const paid = payments.filter((p) => p.status === "paid");
  const parts = [];
  const back = ctx.query["thanh-toan"];
  const pending = payments.find((p) => p.status === "pending");
  if (back === "da-thanh-toan" && paid.some((p) => p.reference === ctx.query.ma)) {
    parts.push(notice("Thanh toán thành công. Biên lai điện tử ở bên dưới.", "ok"));
  } else if (back === "da-thanh-toan" && pending) {
    parts.push(reconcileBox(pending, ctx));
  } else if (back === "chua-thanh-toan") {
    parts.push(notice("Giao dịch chưa được thanh toán (đã hủy). Bạn có thể thanh toán lại.", "warn"));
  }
  if (d.status_code === 6) {
    const button = h("button", { type: "button", class: "btn primary" }, pending ? "Tiếp tục thanh toán" : "Thanh toán trực tuyến");
    button.addEventListener("click", () => pay(d, button, box));
    parts.push(h("div", { class: "ct-pay" },
      h("p", {}, "Số tiền phải nộp: ", h("strong", { class: "ct-amount" }, fmtVnd(due))),
      h("p", { class: "hint" }, "Bạn sẽ được chuyển sang Nền tảng thanh toán trực tuyến của Cổng Dịch vụ công quốc gia, rồi trở lại trang này sau khi thanh toán."),
      h("div", { class: "btn-row" }, button), box));
  } else if (!paid.length && due) {
    parts.push(h("p", {}, `Phí, lệ phí của thủ tục: ${fmtVnd(due)}. Bạn thanh toán khi cơ quan gửi yêu cầu thực hiện nghĩa vụ tài chính.`));
  }
  if (payments.length) {
    parts.push(table([
      { label: "Mã tham chiếu", cell: (p) => p.reference },
      { label: "Số tiền", class: "num", cell: (p) => fmtVnd(p.amount) },
      { label: "Tình trạng", cell: (p) => STATES[p.status] || p.status },
      { label: "Thời gian thanh toán", cell: (p) => fmtDateTime(p.paid_at) },
      { label: "Số biên lai", cell: (p) => p.receipt_number || "—" },
    ], payments, { caption: "Các lần thanh toán" }));
  }
  for (const p of paid) parts.push(receiptSection(p, { agencies, applicantName }));
  return section("Phí, lệ phí", parts);
}

function reconcileBox(payment, ctx) {
  const box = h("div", {}, notice("Đang kiểm tra kết quả thanh toán với nền tảng thanh toán…", "info"));
  api.post(`/api/v1/payments/${encodeURIComponent(payment.reference)}/reconcile`)
    .then((answer) => {
      if (answer.status === "paid") ctx.refresh();
      else clear(box, notice("Nền tảng thanh toán chưa xác nhận giao dịch. Vui lòng kiểm tra lại sau ít phút.", "warn"));
    })
    .catch((err) => clear(box, problemBox(vnError(err))));
  return box;
}

function receiptSection(payment, names) {
  const holder = h("div", { class: "ct-receipt-holder" }, h("p", { class: "loading" }, "Đang tải biên lai…"));
  api.get(`/api/v1/payments/${encodeURIComponent(payment.reference)}/receipt`)
    .then((r) => clear(holder, receipt({ ...r,
      payer_name: r.payer_name || names.applicantName,
      agency_name: names.agencies[r.agency_id] || r.agency_id })))
    .catch((err) => clear(holder, problemBox(vnError(err))));
  return holder;
}

function receipt(r) {
  const el = h("article", { class: "ct-receipt", "aria-labelledby": `bl-${r.receipt_number}` },
    h("h3", { id: `bl-${r.receipt_number}` }, "Biên lai thu phí, lệ phí điện tử"),
    facts([
      ["Số biên lai", r.receipt_number],
      ["Ngày thu", fmtDateTime(r.issued_at)],
      ["Người nộp", r.payer_name || "—"],
      ["Hồ sơ", r.dossier_code],
      ["Thủ tục", r.procedure_name || r.procedure_code],
      ["Cơ quan thu", r.agency_name],
      ["Mã tham chiếu", r.payment_reference],
      ["Mã giao dịch", r.transaction_id || "—"],
      ["Hình thức", "Nền tảng thanh toán trực tuyến quốc gia"],
    ]),
    table([
      { label: "Khoản thu", cell: (f) => f.name },
      { label: "Số tiền", class: "num", cell: (f) => fmtVnd(f.amount) },
    ], r.fees, { empty: "—" }),
    h("p", { class: "ct-total" }, "Tổng số tiền: ", h("strong", {}, fmtVnd(r.amount))));
  const print = h("button", { type: "button", class: "btn ghost" }, "In biên lai");
  print.addEventListener("click", () => {
    document.body.classList.add("ct-printing");
    el.classList.add("ct-print-this");
    const done = () => {
      document.body.classList.remove("ct-printing");
      el.classList.remove("ct-print-this");
      window.removeEventListener("afterprint", done);
    };
    window.addEventListener("afterprint", done);
    window.print();
  });
  const download = h("button", { type: "button", class: "btn ghost", onclick: () =>
    saveBlob(new Blob([receiptText(r)], { type: "text/plain;charset=utf-8" }), `bien-lai-${r.receipt_number}.txt`) },
  "Tải biên lai");
  el.append(h("div", { class: "btn-row ct-receipt-actions" }, print, download));
  return el;
}

function receiptText(r) {
  const lines = [
    "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ", "",
    `Số biên lai: ${r.receipt_number}`, `Ngày thu: ${fmtDateTime(r.issued_at)}`,
    `Người nộp: ${r.payer_name || ""}`, `Hồ sơ: ${r.dossier_code}`,
    `Thủ tục: ${r.procedure_name || r.procedure_code}`, `Cơ quan thu: ${r.agency_name}`,
    `Mã tham chiếu: ${r.payment_reference}`, `Mã giao dịch: ${r.transaction_id || ""}`, "",
    ...r.fees.map((f) => `- ${f.name}: ${fmtVnd(f.amount)}`), "",
    `Tổng số tiền: ${fmtVnd(r.amount)}`,
    "Hình thức: Nền tảng thanh toán trực tuyến của Cổng Dịch vụ công quốc gia",
  ];
  return lines.join("\r\n") + "\r\n";
}
