-- bench_retail.sql -- the 22 KPIs of kpis/retail.lua for one period, as SQL, for
-- scripts/bench: sqlite3 and DuckDB run this same text over the same files and their
-- values are compared with kpiengine's.
--
-- Template: scripts/bench replaces @START@ (first day of the period), @END@ (the day
-- after its last) and @PREV_START@ (first day of the previous period, which ends at
-- @START@) with ISO dates before running it.
--
-- Tables (loaded by the caller): orders, spend, leads, sessions as in the CSV files,
-- csat as in csat.db (sqlite3 reads it through ATTACH). The text is the dialect both
-- engines share: dates and timestamps compared with ISO literals (text in sqlite3,
-- DATE and TIMESTAMP in DuckDB), yes/no columns compared with 'true' (text in sqlite3,
-- BOOLEAN in DuckDB), an empty campaign is '' in sqlite3 and NULL in DuckDB (both fail
-- campaign <> '').
--
-- The definitions follow kpis/retail.lua and kpis/lib/marketing.lua (the same
-- formulas as the oracle of tests/e2e_retail.c); each table is scanned once for the
-- period, plus the customer history for new customers and retention. The result is
-- one row whose columns are the KPI ids; counts stay integers, the rest are DOUBLE.
WITH
o AS (
  SELECT sum(amount) AS revenue,
         count(*) AS order_count,
         sum(CASE WHEN campaign <> '' THEN amount END) AS campaign_revenue,
         count(DISTINCT customer_id) AS customers
  FROM orders WHERE "date" >= '@START@' AND "date" < '@END@'
),
-- customers of the period never seen before it
newc AS (
  SELECT count(DISTINCT customer_id) AS new_customers
  FROM orders
  WHERE "date" >= '@START@' AND "date" < '@END@'
    AND customer_id NOT IN (SELECT customer_id FROM orders WHERE "date" < '@START@')
),
-- share of the previous period's customers who bought again in this one
prev AS (
  SELECT DISTINCT customer_id FROM orders
  WHERE "date" >= '@PREV_START@' AND "date" < '@START@'
),
ret AS (
  SELECT CAST((SELECT count(DISTINCT customer_id) FROM orders
               WHERE "date" >= '@START@' AND "date" < '@END@'
                 AND customer_id IN (SELECT customer_id FROM prev)) AS DOUBLE)
         / (SELECT count(*) FROM prev) AS retention
),
sp AS (
  SELECT CAST(sum(cost) AS DOUBLE) AS cost,
         CAST(sum(CASE WHEN campaign <> '' THEN cost END) AS DOUBLE) AS campaign_cost
  FROM spend WHERE "date" >= '@START@' AND "date" < '@END@'
),
ld AS (
  SELECT count(*) AS n,
         sum(CASE WHEN contacted = 'true' THEN 1 ELSE 0 END) AS contacted,
         sum(CASE WHEN contacted = 'true' AND responded = 'true' THEN 1 ELSE 0 END) AS responded,
         sum(CASE WHEN converted = 'true' THEN 1 ELSE 0 END) AS converted
  FROM leads WHERE "date" >= '@START@' AND "date" < '@END@'
),
se AS (
  SELECT count(*) AS n,
         sum(CASE WHEN engaged = 'true' THEN 1 ELSE 0 END) AS engaged,
         sum(CASE WHEN engaged = 'true' AND lead = 'true' THEN 1 ELSE 0 END) AS engaged_lead,
         sum(CASE WHEN "order" = 'true' THEN 1 ELSE 0 END) AS ordered,
         sum(CASE WHEN source = 'organic' THEN 1 ELSE 0 END) AS organic,
         sum(CASE WHEN source = 'social' THEN 1 ELSE 0 END) AS social,
         sum(CASE WHEN device = 'mobile' THEN 1 ELSE 0 END) AS mobile,
         sum(CASE WHEN device = 'mobile' AND "order" = 'true' THEN 1 ELSE 0 END) AS mobile_ordered
  FROM sessions WHERE "date" >= '@START@' AND "date" < '@END@'
),
cs AS (
  SELECT count(*) AS n, sum(CASE WHEN score >= 4 THEN 1 ELSE 0 END) AS satisfied
  FROM csat WHERE answered_at >= '@START@' AND answered_at < '@END@'
)
SELECT
  CAST(o.revenue AS DOUBLE) AS revenue,
  o.order_count AS order_count,
  CAST(o.revenue AS DOUBLE) / o.order_count AS aov,
  CAST(o.campaign_revenue AS DOUBLE) AS campaign_revenue,
  o.customers AS customers,
  newc.new_customers AS new_customers,
  sp.cost / newc.new_customers AS cac,
  ret.retention AS retention,
  1 - ret.retention AS churn,
  CAST(o.revenue AS DOUBLE) / o.customers * 0.30 / (1 - ret.retention) AS clv,
  CAST(cs.satisfied AS DOUBLE) / cs.n AS csat,
  CAST(ld.responded AS DOUBLE) / ld.contacted AS lead_engagement,
  CAST(ld.converted AS DOUBLE) / ld.n AS lead_conversion,
  sp.cost / ld.n AS cost_per_lead,
  (CAST(o.campaign_revenue AS DOUBLE) - sp.campaign_cost) / sp.campaign_cost AS roi,
  CAST(se.engaged AS DOUBLE) / se.n AS traffic_to_interest,
  CAST(se.engaged_lead AS DOUBLE) / se.engaged AS interest_to_lead,
  CAST(se.ordered AS DOUBLE) / se.n AS landing_conversion,
  se.organic AS organic_traffic,
  se.social AS social_traffic,
  CAST(se.mobile AS DOUBLE) / se.n AS mobile_share,
  CAST(se.mobile_ordered AS DOUBLE) / se.mobile AS mobile_conversion
FROM o, newc, ret, sp, ld, se, cs;
