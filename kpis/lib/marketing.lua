-- marketing.lua -- formulas shared by the rule sets: sales, customers, leads, spend,
-- campaigns, surveys and web traffic.
--
-- Every function takes the source tables it reads and the period p, so a rule set
-- decides which file is which and this file only says how a KPI is computed. Column
-- names follow the sample exports (kpis/data/*); a client whose export names a column
-- differently passes the name where a function takes one.
local safe = require "safe"

local M = {}

-- ---- sales and customers ------------------------------------------------------------

-- Sum of `col` (default "amount") over the rows of the period.
function M.total(t, p, col)
  return t:during(p):sum(col or "amount")
end

-- The same per value of `by`.
function M.total_by(t, p, by, col)
  return t:during(p):by(by):sum(col or "amount")
end

-- Revenue of the rows attributed to a campaign (campaign not empty), per campaign when
-- `per_campaign` is set.
function M.campaign_total(t, p, col, per_campaign)
  local v = t:during(p):where("campaign", "!=", "")
  if per_campaign then return v:by "campaign":sum(col or "amount") end
  return v:sum(col or "amount")
end

-- Distinct ids (customers) active in the period.
function M.active(t, p, id)
  return t:during(p):distinct(id)
end

-- Ids seen in the period and never before it.
function M.first_seen(t, p, id)
  return (t:during(p):ids(id) - t:before(p):ids(id)):count()
end

-- Share of the previous period's ids seen again in this one.
function M.retention(t, p, id)
  local prev = t:during(p:prev()):ids(id)
  return safe.div((t:during(p):ids(id) * prev):count(), prev:count())
end

-- Lifetime value: what a customer brings per period, at the gross margin, over the
-- expected number of periods a customer stays (1 / churn).
function M.lifetime_value(revenue, customers, margin, churn)
  return safe.div(safe.mul(safe.div(revenue, customers), margin), churn)
end

-- ---- spend --------------------------------------------------------------------------

function M.spend(spend, p)
  return spend:during(p):sum "cost"
end

-- Cost of acquiring one new customer.
function M.acquisition_cost(spend, p, new_customers)
  return safe.div(M.spend(spend, p), new_customers)
end

-- Spend divided by the number of leads, in all or per channel.
function M.cost_per_lead(spend, leads, p)
  return safe.div(M.spend(spend, p), leads:during(p):count())
end

function M.cost_per_lead_by(spend, leads, p, by)
  by = by or "channel"
  return spend:during(p):by(by):sum "cost" / leads:during(p):by(by):count()
end

-- Return on the campaigns' spend: (revenue - cost) / cost, over the rows attributed to
-- a campaign; per campaign when `per_campaign` is set.
function M.campaign_roi(sales, spend, p, amount, per_campaign)
  local revenue = M.campaign_total(sales, p, amount, per_campaign)
  local cost = M.campaign_total(spend, p, "cost", per_campaign)
  return safe.div(safe.sub(revenue, cost), cost)
end

-- ---- leads --------------------------------------------------------------------------

-- Share of the contacted leads who answered. `responded` is a yes/no column: its
-- average is the share of yes, and a channel whose leads never answered gets 0, not
-- "no data".
function M.lead_engagement(leads, p)
  return leads:during(p):where { contacted = true }:avg "responded"
end

function M.lead_engagement_by(leads, p, by)
  return leads:during(p):where { contacted = true }:by(by or "channel"):avg "responded"
end

-- Share of the leads who became customers.
function M.lead_conversion(leads, p)
  return leads:during(p):avg "converted"
end

function M.lead_conversion_by(leads, p, by)
  return leads:during(p):by(by or "channel"):avg "converted"
end

-- ---- surveys ------------------------------------------------------------------------

-- Share of the answers scoring at least `satisfied` (CSAT: 4 on a 1..5 scale).
function M.satisfied_share(survey, p, satisfied)
  local a = survey:during(p)
  return safe.div(a:where("score", ">=", satisfied or 4):count(), a:count())
end

-- Net promoter score on a 0..10 scale, -100..100: % promoters (9, 10) - % detractors (0..6).
function M.nps(survey, p)
  local a = survey:during(p)
  local n = a:count()
  return safe.div((a:where("score", ">=", 9):count() - a:where("score", "<=", 6):count()) * 100, n)
end

-- ---- web traffic --------------------------------------------------------------------

-- Share of the period's rows (of those matching `of`, a where{} table, when given) whose
-- yes/no column `flag` is yes; per value of `by` with rate_by.
function M.rate(t, p, flag, of)
  local v = t:during(p)
  if of then v = v:where(of) end
  return v:avg(flag)
end

function M.rate_by(t, p, flag, by, of)
  local v = t:during(p)
  if of then v = v:where(of) end
  return v:by(by):avg(flag)
end

-- Rows of the period matching filter (a where{} table), or all of them.
function M.count(t, p, filter)
  local v = t:during(p)
  if filter then v = v:where(filter) end
  return v:count()
end

-- Share of the period's rows matching filter.
function M.share(t, p, filter)
  local v = t:during(p)
  return safe.div(v:where(filter):count(), v:count())
end

-- Mix: each group's share of the period's rows.
function M.mix(t, p, by)
  local v = t:during(p)
  return safe.div(v:by(by):count(), v:count())
end

return M
