-- retail.lua -- the KPIs of an online shop (sample client: Cửa hàng ABC).
--
-- Data: the shop's exports in data/retail (regenerate with scripts/gen-sample):
-- orders, marketing spend, leads, web sessions, the campaign calendar and the
-- customer-satisfaction survey database. Formulas shared with other clients live in
-- lib/marketing.lua; this file says which data is which and sets the levels.
--
-- Levels: `minimum` is the floor (for better = "lower": the worst acceptable value),
-- `target` the goal. Rates are fractions (0.35 = 35%).
--
-- `additive = true` marks a KPI whose value is a sum over its parts and over time
-- (revenue, counts of orders, customers or visits): its breakdown items are parts of
-- the total, not graded against the total's levels. Rates, ratios and averages are not.

ruleset { name = "Bán lẻ – Cửa hàng ABC", currency = "VND", locale = "vi", grain = "month" }

local m    = require "marketing"
local safe = require "safe"

-- Gross margin on sales, for customer lifetime value.
local MARGIN = 0.30

local orders   = source "orders"   { csv = "data/retail/orders.csv", time = "date",
                                     columns = { amount = "decimal(2)" } }
local spend    = source "spend"    { csv = "data/retail/spend.csv", time = "date" }
local leads    = source "leads"    { csv = "data/retail/leads.csv", time = "date" }
local sessions = source "sessions" { csv = "data/retail/sessions.csv", time = "date" }
local csat     = source "csat"     { sqlite = "data/retail/csat.db",
                                     query = "SELECT answered_at, customer_id, score FROM csat",
                                     time = "answered_at", columns = { answered_at = "timestamp" } }
source "campaigns" { csv = "data/retail/campaigns.csv" }

local MKT = "Trưởng phòng marketing"
local SALES = "Giám đốc kinh doanh"
local CX = "Trưởng nhóm chăm sóc khách hàng"
local WEB = "Quản lý thương mại điện tử"

-- ---- sales -------------------------------------------------------------------------

kpi "revenue" {
  title = "Doanh thu bán hàng", unit = "VND", better = "higher", additive = true,
  minimum = 350e6, target = 450e6, owner = SALES, review = "monthly",
  value = function(p) return m.total(orders, p) end,
  breakdown = function(p) return m.total_by(orders, p, "channel") end,
}

kpi "order_count" {
  title = "Số đơn hàng", unit = "count", better = "higher", additive = true,
  minimum = 700, target = 900, owner = SALES, review = "monthly",
  value = function(p) return orders:during(p):count() end,
}

kpi "aov" {
  title = "Giá trị đơn hàng trung bình", unit = "VND", better = "higher",
  minimum = 450000, target = 520000, owner = SALES, review = "monthly",
  value = function(p, k) return safe.div(k.revenue, k.order_count) end,
  breakdown = function(p) return orders:during(p):by "device":avg "amount" end,
}

kpi "campaign_revenue" {
  title = "Doanh thu theo chiến dịch", unit = "VND", better = "higher", additive = true,
  minimum = 40e6, target = 80e6, owner = MKT, review = "campaigns",
  value = function(p) return m.campaign_total(orders, p) end,
  breakdown = function(p) return m.campaign_total(orders, p, "amount", true) end,
}

-- ---- customers ---------------------------------------------------------------------

kpi "customers" {
  title = "Số khách hàng mua hàng", unit = "count", better = "higher",
  minimum = 400, target = 550, owner = SALES, review = "monthly",
  value = function(p) return m.active(orders, p, "customer_id") end,
}

kpi "new_customers" {
  title = "Khách hàng mới", unit = "count", better = "higher", additive = true,
  minimum = 50, target = 80, owner = MKT, review = "monthly",
  value = function(p) return m.first_seen(orders, p, "customer_id") end,
}

kpi "cac" {
  title = "Chi phí có được khách hàng (CAC)", unit = "VND", better = "lower",
  minimum = 500000, target = 300000, owner = MKT, review = "monthly",
  value = function(p, k) return m.acquisition_cost(spend, p, k.new_customers) end,
}

kpi "retention" {
  title = "Tỷ lệ giữ chân khách hàng", unit = "%", better = "higher",
  minimum = 0.45, target = 0.55, owner = CX, review = "quarterly",
  value = function(p) return m.retention(orders, p, "customer_id") end,
}

kpi "churn" {
  title = "Tỷ lệ khách hàng rời bỏ", unit = "%", better = "lower",
  minimum = 0.55, target = 0.45, owner = CX, review = "quarterly",
  value = function(p, k) return safe.complement(k.retention) end,
}

kpi "clv" {
  title = "Giá trị vòng đời khách hàng (CLV)", unit = "VND", better = "higher",
  minimum = 450000, target = 650000, owner = MKT, review = "quarterly",
  value = function(p, k) return m.lifetime_value(k.revenue, k.customers, MARGIN, k.churn) end,
}

kpi "csat" {
  title = "Mức độ hài lòng của khách hàng (CSAT)", unit = "%", better = "higher",
  minimum = 0.75, target = 0.85, owner = CX, review = "monthly",
  value = function(p) return m.satisfied_share(csat, p, 4) end,
}

-- ---- leads and spend ---------------------------------------------------------------

kpi "lead_engagement" {
  title = "Tỷ lệ phản hồi của khách hàng tiềm năng", unit = "%", better = "higher",
  minimum = 0.35, target = 0.45, owner = MKT, review = "monthly",
  value = function(p) return m.lead_engagement(leads, p) end,
  breakdown = function(p) return m.lead_engagement_by(leads, p, "channel") end,
}

kpi "lead_conversion" {
  title = "Tỷ lệ chuyển đổi khách hàng tiềm năng", unit = "%", better = "higher",
  minimum = 0.10, target = 0.14, owner = SALES, review = "monthly",
  value = function(p) return m.lead_conversion(leads, p) end,
  breakdown = function(p) return m.lead_conversion_by(leads, p, "channel") end,
}

kpi "cost_per_lead" {
  title = "Chi phí trên mỗi khách hàng tiềm năng", unit = "VND", better = "lower",
  minimum = 120000, target = 70000, owner = MKT, review = "monthly",
  value = function(p) return m.cost_per_lead(spend, leads, p) end,
  breakdown = function(p) return m.cost_per_lead_by(spend, leads, p, "channel") end,
}

kpi "roi" {
  title = "ROI chiến dịch", unit = "%", better = "higher",
  minimum = 0.5, target = 1.5, owner = MKT, review = "campaigns",
  value = function(p) return m.campaign_roi(orders, spend, p, "amount") end,
  breakdown = function(p) return m.campaign_roi(orders, spend, p, "amount", true) end,
}

-- ---- web traffic -------------------------------------------------------------------

kpi "traffic_to_interest" {
  title = "Tỷ lệ truy cập có tương tác", unit = "%", better = "higher",
  minimum = 0.50, target = 0.55, owner = WEB, review = "monthly",
  value = function(p) return m.rate(sessions, p, "engaged") end,
  breakdown = function(p) return m.rate_by(sessions, p, "engaged", "source") end,
}

kpi "interest_to_lead" {
  title = "Tỷ lệ từ quan tâm thành khách hàng tiềm năng", unit = "%", better = "higher",
  minimum = 0.09, target = 0.11, owner = WEB, review = "monthly",
  value = function(p) return m.rate(sessions, p, "lead", { engaged = true }) end,
}

kpi "landing_conversion" {
  title = "Tỷ lệ chuyển đổi trang đích", unit = "%", better = "higher",
  minimum = 0.028, target = 0.035, owner = WEB, review = "monthly",
  value = function(p) return m.rate(sessions, p, "order") end,
  breakdown = function(p) return m.rate_by(sessions, p, "order", "landing_page") end,
}

kpi "organic_traffic" {
  title = "Lượt truy cập tự nhiên", unit = "count", better = "higher", additive = true,
  minimum = 300, target = 400, owner = WEB, review = "monthly",
  value = function(p) return m.count(sessions, p, { source = "organic" }) end,
}

kpi "social_traffic" {
  title = "Lượt truy cập từ mạng xã hội", unit = "count", better = "higher", additive = true,
  minimum = 300, target = 450, owner = MKT, review = "monthly",
  value = function(p) return m.count(sessions, p, { source = "social" }) end,
  breakdown = function(p) return sessions:during(p):where { source = "social" }:by "network":count() end,
}

kpi "mobile_share" {
  title = "Tỷ trọng truy cập từ di động", unit = "%", better = "higher",
  minimum = 0.60, target = 0.70, owner = WEB, review = "quarterly",
  value = function(p) return m.share(sessions, p, { device = "mobile" }) end,
  breakdown = function(p) return m.mix(sessions, p, "device") end,
}

kpi "mobile_conversion" {
  title = "Tỷ lệ chuyển đổi trên di động", unit = "%", better = "higher",
  minimum = 0.025, target = 0.03, owner = WEB, review = "monthly",
  value = function(p) return m.rate(sessions, p, "order", { device = "mobile" }) end,
  breakdown = function(p) return m.rate_by(sessions, p, "order", "device") end,
}

review "monthly"   { every = "month" }
review "quarterly" { every = "quarter" }
-- Around each campaign: what it earned, and whether the shop as a whole moved.
review "campaigns" { campaigns = "campaigns", before = 14, after = 30,
                     kpis = { "campaign_revenue", "roi", "revenue", "new_customers",
                              "cost_per_lead", "landing_conversion", "social_traffic" } }
