-- retail_client.lua -- a client's variant of the sample retail rule set (e2e_diff.c):
-- a stricter floor for CAC, CAC counted on paid channels only, and one more KPI.
extends "../../../kpis/retail.lua"

-- The same source as the base's: declared again to have its Table here.
local spend = source "spend" { csv = "data/retail/spend.csv", time = "date" }

kpi "cac" {
  minimum = 400000,
  value = function(p, k)
    local paid = spend:during(p):where("channel", "!=", "organic"):sum "cost"
    if paid == nil or k.new_customers == nil then return nil end
    return paid / k.new_customers
  end,
}

kpi "paid_spend" {
  title = "Paid marketing spend", unit = "VND", better = "lower", additive = true,
  minimum = 60e6, target = 45e6, owner = "Trưởng phòng marketing", review = "monthly",
  value = function(p) return spend:during(p):where("channel", "!=", "organic"):sum "cost" end,
}
