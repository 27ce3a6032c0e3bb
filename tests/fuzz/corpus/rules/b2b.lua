-- b2b.lua -- the KPIs of a software vendor selling annual contracts to companies
-- (sample client: Sao Việt Software). Report in English, amounts in VND.
--
-- Data in data/b2b (regenerate with scripts/gen-sample): CRM deals and leads,
-- marketing spend, the campaign calendar and the survey database (csat, nps).
-- Deals are read twice: by close date (outcomes) and by creation date (pipeline).
-- Shared formulas: lib/sales.lua (pipeline, unit economics), lib/marketing.lua.
-- `additive = true` marks sums over parts and over time (revenue, deals, pipeline, new
-- customers): their breakdown items are parts of the total and are not graded.

ruleset { name = "B2B – Sao Việt Software", currency = "VND", locale = "en", grain = "month" }

local m     = require "marketing"
local sales = require "sales"
local safe  = require "safe"

local MARGIN = 0.70         -- gross margin on a contract
local LIFETIME_YEARS = 3    -- an account renews for three years on average

local deals    = source "deals"    { csv = "data/b2b/deals.csv", time = "closed" }
local pipeline = source "pipeline" { csv = "data/b2b/deals.csv", time = "created" }
local leads    = source "leads"    { csv = "data/b2b/leads.csv", time = "date" }
local spend    = source "spend"    { csv = "data/b2b/spend.csv", time = "date" }
local csat     = source "csat"     { sqlite = "data/b2b/csat.db", table = "csat",
                                     time = "answered_at" }
local nps      = source "nps"      { sqlite = "data/b2b/csat.db",
                                     query = "SELECT answered_at, account_id, score FROM nps",
                                     time = "answered_at" }
source "campaigns" { csv = "data/b2b/campaigns.csv" }

local SALES = "Head of Sales"
local MKT = "Marketing Manager"
local CS = "Customer Success Lead"
local CFO = "CFO"

-- ---- pipeline and deals --------------------------------------------------------------

kpi "revenue" {
  title = "Revenue (won contracts)", unit = "VND", better = "higher", additive = true,
  minimum = 2.5e9, target = 4e9, owner = SALES, review = "monthly",
  value = function(p) return sales.won(deals, p):sum "amount" end,
  breakdown = function(p) return sales.won(deals, p):by "owner":sum "amount" end,
}

kpi "deals_won" {
  title = "Deals won", unit = "count", better = "higher", additive = true,
  minimum = 15, target = 25, owner = SALES, review = "monthly",
  value = function(p) return sales.won(deals, p):count() end,
}

kpi "win_rate" {
  title = "Win rate", unit = "%", better = "higher",
  minimum = 0.25, target = 0.35, owner = SALES, review = "monthly",
  value = function(p) return sales.win_rate(deals, p) end,
  breakdown = function(p) return sales.win_rate_by(deals, p, "source") end,
}

kpi "sales_cycle" {
  title = "Sales cycle length", unit = "days", better = "lower",
  minimum = 60, target = 45, owner = SALES, review = "quarterly",
  value = function(p) return sales.won(deals, p):avg "cycle_days" end,
  breakdown = function(p) return sales.won(deals, p):by "source":avg "cycle_days" end,
}

kpi "deal_size" {
  title = "Average deal size", unit = "VND", better = "higher",
  minimum = 120e6, target = 150e6, owner = SALES, review = "monthly",
  value = function(p) return sales.won(deals, p):avg "amount" end,
}

kpi "median_deal" {
  title = "Median deal size", unit = "VND", better = "higher",
  minimum = 90e6, target = 120e6, owner = SALES, review = "quarterly",
  value = function(p) return sales.won(deals, p):median "amount" end,
}

kpi "pipeline_created" {
  title = "New pipeline", unit = "VND", better = "higher", additive = true,
  minimum = 8e9, target = 11e9, owner = SALES, review = "monthly",
  value = function(p) return pipeline:during(p):sum "amount" end,
  breakdown = function(p) return pipeline:during(p):by "source":sum "amount" end,
}

-- ---- customers and unit economics ------------------------------------------------------

kpi "new_customers" {
  title = "New customers", unit = "count", better = "higher", additive = true,
  minimum = 10, target = 15, owner = SALES, review = "monthly",
  value = function(p) return sales.new_accounts(deals, p, "account_id") end,
}

kpi "customers" {
  title = "Customers to date", unit = "count", better = "higher",
  minimum = 150, target = 200, owner = CS, review = "quarterly",
  value = function(p) return sales.accounts_to_date(deals, p, "account_id") end,
}

kpi "cac" {
  title = "Customer acquisition cost", unit = "VND", better = "lower",
  minimum = 60e6, target = 35e6, owner = MKT, review = "monthly",
  value = function(p, k) return m.acquisition_cost(spend, p, k.new_customers) end,
}

kpi "cac_payback" {
  title = "CAC payback", unit = "months", better = "lower",
  minimum = 12, target = 6, owner = CFO, review = "quarterly",
  value = function(p, k) return sales.cac_payback(k.cac, k.deal_size, MARGIN) end,
}

kpi "ltv" {
  title = "Customer lifetime value", unit = "VND", better = "higher",
  minimum = 250e6, target = 350e6, owner = CFO, review = "quarterly",
  value = function(p, k) return sales.lifetime_value(k.deal_size, MARGIN, LIFETIME_YEARS) end,
}

kpi "ltv_cac" {
  title = "LTV:CAC", unit = "x", better = "higher",
  minimum = 3, target = 5, owner = CFO, review = "quarterly",
  value = function(p, k) return safe.div(k.ltv, k.cac) end,
}

-- ---- leads and marketing ----------------------------------------------------------------

kpi "lead_engagement" {
  title = "Lead engagement rate", unit = "%", better = "higher",
  minimum = 0.30, target = 0.40, owner = MKT, review = "monthly",
  value = function(p) return m.lead_engagement(leads, p) end,
  breakdown = function(p) return m.lead_engagement_by(leads, p, "channel") end,
}

kpi "lead_conversion" {
  title = "Lead conversion rate", unit = "%", better = "higher",
  minimum = 0.08, target = 0.12, owner = MKT, review = "monthly",
  value = function(p) return m.lead_conversion(leads, p) end,
}

kpi "cost_per_lead" {
  title = "Cost per lead", unit = "VND", better = "lower",
  minimum = 3e6, target = 1.5e6, owner = MKT, review = "monthly",
  value = function(p) return m.cost_per_lead(spend, leads, p) end,
  breakdown = function(p) return m.cost_per_lead_by(spend, leads, p, "channel") end,
}

kpi "roi" {
  title = "Campaign ROI", unit = "%", better = "higher",
  minimum = 0.5, target = 2, owner = MKT, review = "campaigns",
  value = function(p) return m.campaign_roi(sales.won(deals, p), spend, p, "amount") end,
  breakdown = function(p)
    return m.campaign_roi(sales.won(deals, p), spend, p, "amount", true)
  end,
}

-- ---- satisfaction ----------------------------------------------------------------------

kpi "csat" {
  title = "Customer satisfaction (CSAT)", unit = "%", better = "higher",
  minimum = 0.75, target = 0.85, owner = CS, review = "monthly",
  value = function(p) return m.satisfied_share(csat, p, 4) end,
}

kpi "nps" {
  title = "Net promoter score", unit = "points", better = "higher",
  minimum = 20, target = 40, owner = CS, review = "quarterly",
  value = function(p) return m.nps(nps, p) end,
}

review "monthly"   { every = "month" }
review "quarterly" { every = "quarter" }
review "campaigns" { campaigns = "campaigns", before = 14, after = 30 }
