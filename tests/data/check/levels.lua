-- levels.lua -- levels in the wrong order for `better`, and levels that are equal.
ruleset { name = "Check – levels", currency = "VND" }

local orders = source "orders" { csv = "data/orders.csv", time = "date" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 300, target = 100,
  value = function(p) return orders:during(p):sum "amount" end }
kpi "basket" { unit = "VND", better = "lower", minimum = 50, target = 80,
  value = function(p) return orders:during(p):avg "amount" end }
kpi "orders" { unit = "count", better = "higher", minimum = 3, target = 3,
  value = function(p) return orders:during(p):count() end }
