-- unknown_global.lua -- a KPI reads a global nobody declared.
ruleset { name = "Check – globals", currency = "VND" }

local orders = source "orders" { csv = "data/orders.csv", time = "date" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 100, target = 300,
  value = function(p)
    return ordres:during(p):sum "amount"
  end }
kpi "orders" { unit = "count", better = "higher", minimum = 1, target = 5,
  value = function(p) return orders:during(p):count() end }
