ruleset { name = "Fuzz", currency = "VND", grain = "month" }
local orders = source "orders" { csv = "data.csv", time = "date", columns = { amount = "decimal(2)" } }
local scores = source "scores" { sqlite = "data.db", query = "SELECT day, account, score FROM t", time = "day" }
kpi "revenue" { unit = "VND", better = "higher", minimum = 100, target = 200,
  value = function(p) return orders:during(p):sum "amount" end,
  breakdown = function(p) return orders:during(p):by "channel":sum "amount" end }
kpi "buyers" { unit = "count", better = "higher", minimum = 1, target = 3,
  value = function(p) return (orders:during(p):ids "customer_id" - orders:before(p):ids "customer_id"):count() end }
kpi "avg_score" { better = "higher", minimum = 3, target = 4.5,
  value = function(p) return scores:during(p):avg "score" end }
kpi "per_buyer" { better = "lower", minimum = 100, target = 50,
  value = function(p, k) return k.revenue / k.buyers end }
review "monthly" { every = "month" }
