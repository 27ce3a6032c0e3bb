-- changed.lua -- rule set B of the diff tests (e2e_diff.c): against base.lua, each kind
-- of difference once.
ruleset { name = "Diff shop 2", currency = "VND", grain = "month" }  -- name changed

local orders = source "orders" { csv = "data/orders.csv", time = "date",
                                 columns = { amount = "decimal(3)" } }  -- columns changed
local spend  = source "spend"  { csv = "data/spend2.csv", time = "day", delimiter = ";" }
source "returns" { csv = "data/returns.csv" }                           -- added; visits removed
source "survey" { sqlite = "data/survey.db", query = "SELECT score FROM survey WHERE score > 0" }

kpi "revenue" { title = "Net revenue", unit = "USD", better = "higher", minimum = 1200,
  target = 2500, owner = "Finance", review = "quarterly", additive = false,
  due = "2024-12-31",
  value = function(p) return orders:during(p):sum "amount" end }

kpi "orders" { title = "Orders", unit = "count", better = "higher", minimum = 2, target = 4,
  value = function(p) return orders:during(p):where("amount", ">", 0):count() end,
  breakdown = function(p) return orders:during(p):by "customer_id":count() end }

kpi "spend" { title = "Spend", unit = "VND", better = "higher", minimum = 500, target = 900,
  value = function(p) return spend:during(p):sum "cost" end }

kpi "repeat_buyers" { title = "Repeat buyers", unit = "count", better = "higher",
  minimum = 1, target = 2,
  value = function(p) return (orders:during(p):ids "customer_id"
                              * orders:before(p):ids "customer_id"):count() end }

review "monthly" { every = "week" }
review "quarterly" { every = "quarter", day = 10 }
review "yearly" { every = "year" }                  -- added; weekly removed
