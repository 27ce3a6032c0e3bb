-- names.lua -- reviews and KPIs named by a wrong name.
ruleset { name = "Check – names", currency = "VND" }

local orders = source "orders" { csv = "data/orders.csv", time = "date" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 100, target = 300,
  review = "montly", value = function(p) return orders:during(p):sum "amount" end }
kpi "orders" { unit = "count", better = "higher", minimum = 1, target = 5,
  review = "monthly", value = function(p) return orders:during(p):count() end }
kpi "aov" { unit = "VND", better = "higher", minimum = 50, target = 100,
  value = function(p, k) return k.revenue / k.ordres end }

review "monthly" { every = "month" }
review "board" { every = "quarter", kpis = { "revenu", "orders" } }
