-- clean.lua -- a small rule set with nothing to report.
ruleset { name = "Check – clean", currency = "VND", grain = "month" }

local orders = source "orders" { csv = "data/orders.csv", time = "date" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 100, target = 300,
  review = "monthly", value = function(p) return orders:during(p):sum "amount" end }
kpi "aov" { unit = "VND", better = "higher", minimum = 50, target = 100,
  value = function(p, k) return k.revenue / orders:during(p):count() end,
  breakdown = function(p) return orders:during(p):by "channel":avg "amount" end }

review "monthly" { every = "month" }
