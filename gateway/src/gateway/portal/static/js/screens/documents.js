// Văn bản: incoming documents (văn bản đến), outgoing documents (văn bản đi) and the registers
// (sổ văn bản) of svc-docflow, for clerks, leaders and processing officers.

import { DOC_ROLES, REGISTER_ROLES } from "./documents-common.js";
import { compose, editDraft } from "./documents-draft.js";
import { incomingDetail, incomingList, intake } from "./documents-incoming.js";
import { outgoingDetail, outgoingList } from "./documents-outgoing.js";
import { registers } from "./documents-registers.js";

export const menu = [
  { href: "#/van-ban/den", label: "Văn bản", access: DOC_ROLES, match: ["/van-ban", "/so-van-ban"] },
];

// Fixed paths before the ":id" ones: the router takes the first match.
export const routes = [
  { path: "/van-ban/den", title: "Văn bản đến", access: DOC_ROLES, render: incomingList },
  { path: "/van-ban/den/tiep-nhan", title: "Tiếp nhận văn bản giấy", access: ["clerk"], render: intake },
  { path: "/van-ban/den/:id", title: "Văn bản đến", access: DOC_ROLES, render: incomingDetail },
  { path: "/van-ban/di", title: "Văn bản đi", access: DOC_ROLES, render: outgoingList },
  { path: "/van-ban/di/soan", title: "Soạn văn bản đi", access: ["clerk", "leader", "processing_officer"], render: compose },
  { path: "/van-ban/di/:id/sua", title: "Sửa dự thảo", access: ["clerk", "leader", "processing_officer"], render: editDraft },
  { path: "/van-ban/di/:id", title: "Văn bản đi", access: DOC_ROLES, render: outgoingDetail },
  { path: "/so-van-ban", title: "Sổ văn bản", access: REGISTER_ROLES, render: registers },
];
