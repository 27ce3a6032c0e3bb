-- base.lua -- rule set A of the diff tests (e2e_diff.c); changed.lua differs from it in
-- every way a rule set can, moved.lua only in layout.
ruleset { name = "Diff shop", currency = "VND", grain = "month" }

local orders = source "orders" { csv = "data/orders.csv", time = "date",
                                 columns = { amount = "decimal(2)" } }
local spend  = source "spend"  { csv = "data/spend.csv", time = "date" }
source "visits" { csv = "data/visits.csv", time = "day" }
source "survey" { sqlite = "data/survey.db", query = "SELECT score FROM survey" }

kpi "revenue" { title = "Revenue", unit = "VND", better = "higher", minimum = 1000, target = 2000,
  owner = "Sales", review = "monthly", additive = true,
  value = function(p) return orders:during(p):sum "amount" end }

kpi "orders" { title = "Orders", unit = "count", better = "higher", minimum = 2, target = 4,
  value = function(p) return orders:during(p):count() end }

kpi "spend" { title = "Spend", unit = "VND", better = "lower", minimum = 900, target = 500,
  value = function(p) return spend:during(p):sum "cost" end }

kpi "aov" { title = "Average order", unit = "VND", better = "higher", minimum = 300, target = 500,
  value = function(p, k) return k.revenue / k.orders end }

review "monthly" { every = "month" }
review "quarterly" { every = "quarter", day = 5 }
review "weekly" { every = "week" }
