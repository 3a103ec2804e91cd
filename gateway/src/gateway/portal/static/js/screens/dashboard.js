// Reports and statistics (Báo cáo, thống kê) for reporting officers, leaders and
// administrators: the overview with its charts, then the 766 index, the targets and the
// periodic reports (each in its own module).

import { api } from "../api.js";
import { barChart, fmtValue, lineChart } from "../charts.js";
import { clear, field, fmtDateTime, h, problemBox, section, table, todayVn } from "../ui.js";
import {
  FRESH, READERS, agencyChoices, agencyName, agencyOptions, bucketLabel, defaultAgency,
  firstOfMonthVn, header, windowText,
} from "./dashboard-common.js";
import * as index766 from "./dashboard-766.js";
import * as targets from "./dashboard-targets.js";
import * as periodic from "./dashboard-periodic.js";

export const menu = [{ href: "#/bao-cao", label: "Báo cáo", access: READERS }];

export const routes = [
  { path: "/bao-cao", title: "Báo cáo tổng quan", access: READERS, render: overview },
  ...index766.routes, ...targets.routes, ...periodic.routes,
];

const POLL_MS = 15000;
const BUCKETS = [["day", "Theo ngày"], ["week", "Theo tuần"], ["month", "Theo tháng"]];
const COUNT_SERIES = [
  ["submitted", "Đã nộp"], ["received", "Đã tiếp nhận"], ["completed", "Đã giải quyết"],
  ["completed_in_time", "Đúng hạn"], ["completed_late", "Quá hạn"],
];
const RATE_SERIES = [["online_rate", "Tỷ lệ trực tuyến"], ["on_time_rate", "Tỷ lệ đúng hạn"]];

async function overview(ctx) {
  const choices = await agencyChoices(ctx.me);
  const agency = ctx.query.agency || defaultAgency(ctx.me, choices);
  const from = ctx.query.from || firstOfMonthVn();
  const to = ctx.query.to || todayVn();
  const bucket = BUCKETS.some(([b]) => b === ctx.query.bucket) ? ctx.query.bucket : "day";
  const window = { agency, from, to };
  const name = agencyName(choices, agency);

  const [kpis, overviewAnswer, series, byAgency] = await Promise.allSettled([
    api.get("/api/v1/reports/kpis", window, FRESH),
    // The overview is of the person's own agency: an account without one has none.
    ctx.me?.agency_id ? api.get("/api/v1/reports/dashboard/overview", null, FRESH) : null,
    api.get("/api/v1/reports/dashboard/series", {
      ...window, bucket, metrics: [...COUNT_SERIES, ...RATE_SERIES].map(([m]) => m).join(","),
    }, FRESH),
    api.get("/api/v1/reports/dashboard/agencies", window, FRESH),
  ]);

  const tiles = h("div", { class: "kpi-box" });
  const stamp = h("p", { class: "hint as-of" });
  const showKpis = (answer) => {
    clear(tiles, kpiTiles(answer));
    clear(stamp, `Số liệu ${windowText(from, to)} · cập nhật lúc ${fmtDateTime(new Date().toISOString())}; tự làm mới mỗi 15 giây.`);
  };
  if (kpis.status === "fulfilled") showKpis(kpis.value);
  else clear(tiles, problemBox(kpis.reason));
  poll(tiles, async () => showKpis(await api.get("/api/v1/reports/kpis", window, FRESH)));

  return h("div", { class: "dashboard" },
    header("Báo cáo, thống kê", "tong-quan"),
    filters(ctx, choices, { agency, from, to, bucket }),
    section(`Chỉ số chính: ${name}`, stamp, tiles),
    section("Diễn biến theo thời gian", settled(series, (answer) => trend(answer, name))),
    section("Theo đơn vị trực thuộc", settled(byAgency, (answer) => agencies(answer, choices, from, to))),
    overviewAnswer.value === null ? null : section("Toàn cơ quan của tôi: hôm nay, tháng này, từ đầu năm",
      settled(overviewAnswer, (answer) => periods(answer, choices))));
}

function settled(result, render) {
  return result.status === "fulfilled" ? render(result.value) : problemBox(result.reason);
}

/** Refreshes the figures while the screen is shown; stops once it is replaced. */
function poll(node, work) {
  const timer = setInterval(async () => {
    if (!node.isConnected) {
      clearInterval(timer);
      return;
    }
    try {
      await work();
    } catch (err) {
      console.warn("dashboard refresh failed", err);
    }
  }, POLL_MS);
}

function filters(ctx, choices, current) {
  const el = h("form", { class: "filters", role: "search", "aria-label": "Lọc số liệu" },
    field({ label: "Cơ quan, đơn vị", name: "agency", type: "select", value: current.agency,
      options: agencyOptions(choices) }),
    field({ label: "Từ ngày", name: "from", type: "date", value: current.from, required: true }),
    field({ label: "Đến ngày", name: "to", type: "date", value: current.to, required: true }),
    field({ label: "Chu kỳ", name: "bucket", type: "select", value: current.bucket, options: BUCKETS }),
    h("div", { class: "btn-row" },
      h("button", { type: "submit", class: "btn primary" }, "Xem số liệu"),
      h("a", { class: "btn ghost", href: "#/bao-cao" }, "Tháng này")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(el));
    ctx.navigate(`#/bao-cao?${new URLSearchParams(values)}`);
  });
  return el;
}

function kpiTiles(k) {
  const d = k.dossiers;
  const items = [
    ["submitted", "Hồ sơ đã nộp", fmtValue(d.submitted)],
    ["received", "Đã tiếp nhận", fmtValue(d.received)],
    ["completed", "Đã giải quyết", fmtValue(d.completed)],
    ["on_time", "Giải quyết đúng hạn", fmtValue(d.on_time)],
    ["late", "Giải quyết quá hạn", fmtValue(d.late)],
    ["online", "Nộp trực tuyến", fmtValue(d.online)],
    ["on_time_rate", "Tỷ lệ đúng hạn", fmtValue(k.rates.on_time, "ratio")],
    ["online_rate", "Tỷ lệ trực tuyến", fmtValue(k.rates.online, "ratio")],
    ["in_progress", "Đang giải quyết", fmtValue(d.in_progress)],
    ["overdue_now", "Đang quá hạn", d.overdue_now == null ? "—" : fmtValue(d.overdue_now)],
  ];
  return h("ul", { class: "kpis" }, items.map(([key, label, value]) =>
    h("li", { "data-kpi": key }, h("strong", {}, value), h("span", {}, label))));
}

function trend(answer, name) {
  const labels = answer.buckets.map((b) => bucketLabel(b.label, answer.bucket));
  const pick = (defs) => defs.map(([metric, label]) => ({
    name: label, values: answer.series.find((x) => x.name === metric)?.values || [],
  }));
  const span = windowText(answer.first, answer.last);
  return h("div", { class: "chart-grid" },
    lineChart({ title: `Số hồ sơ của ${name} ${span}`, labels, series: pick(COUNT_SERIES), yLabel: "Hồ sơ" }),
    lineChart({ title: `Tỷ lệ trực tuyến và đúng hạn của ${name} ${span}`, labels,
      series: pick(RATE_SERIES), kind: "ratio",
      note: "Kỳ không có hồ sơ thì không có tỷ lệ (đường bị ngắt)." }));
}

function agencies(answer, choices, from, to) {
  const rows = answer.agencies;
  if (!rows.length) {
    return h("p", { class: "empty" }, "Chưa có đơn vị trực thuộc nào có số liệu trong khoảng thời gian này.");
  }
  const names = rows.map((r) => agencyName(choices, r.agency_id));
  const chart = barChart({
    title: `Hồ sơ theo đơn vị ${windowText(from, to)}`,
    categories: names,
    series: [
      { name: "Đã nộp", values: rows.map((r) => r.submitted) },
      { name: "Đã giải quyết", values: rows.map((r) => r.completed) },
      { name: "Đúng hạn", values: rows.map((r) => r.on_time) },
      { name: "Quá hạn", values: rows.map((r) => r.late) },
    ],
  });
  const detail = table([
    { label: "Đơn vị", cell: (r) => agencyName(choices, r.agency_id) },
    { label: "Đã nộp", cell: (r) => fmtValue(r.submitted), class: "num" },
    { label: "Trực tuyến", cell: (r) => fmtValue(r.online), class: "num" },
    { label: "Đã giải quyết", cell: (r) => fmtValue(r.completed), class: "num" },
    { label: "Tỷ lệ đúng hạn", cell: (r) => fmtValue(r.on_time_rate, "ratio"), class: "num" },
    { label: "Đang quá hạn", cell: (r) => fmtValue(r.overdue_now), class: "num" },
  ], [...rows, { ...answer.total, agency_id: "Tổng cộng" }], { caption: "Chi tiết theo đơn vị" });
  return h("div", {}, chart, detail);
}

function periods(answer, choices) {
  const rows = [["Hôm nay", answer.today], ["Tháng này", answer.month], ["Từ đầu năm", answer.year]];
  return h("div", {},
    h("p", { class: "hint" }, `${agencyName(choices, answer.agency_id)} · số liệu lúc ${fmtDateTime(answer.as_of)}. `,
      `Đang giải quyết: ${fmtValue(answer.in_progress)} hồ sơ, trong đó quá hạn: ${fmtValue(answer.overdue_now)}.`),
    table([
      { label: "Kỳ", cell: ([label, p]) => `${label} (${windowText(p.first, p.last)})` },
      { label: "Đã nộp", cell: ([, p]) => fmtValue(p.submitted), class: "num" },
      { label: "Đã tiếp nhận", cell: ([, p]) => fmtValue(p.received), class: "num" },
      { label: "Đã giải quyết", cell: ([, p]) => fmtValue(p.completed), class: "num" },
      { label: "Đúng hạn", cell: ([, p]) => fmtValue(p.on_time), class: "num" },
      { label: "Quá hạn", cell: ([, p]) => fmtValue(p.late), class: "num" },
      { label: "Trực tuyến", cell: ([, p]) => fmtValue(p.online), class: "num" },
      { label: "Tỷ lệ đúng hạn", cell: ([, p]) => fmtValue(p.on_time_rate, "ratio"), class: "num" },
    ], rows, { caption: "Số liệu theo kỳ" }));
}
