-- missing_file.lua -- a source whose file does not exist.
ruleset { name = "Check – missing file", currency = "VND" }

local orders = source "orders" { csv = "data/order.csv", time = "date" }

kpi "orders" { unit = "count", better = "higher", minimum = 1, target = 5,
  value = function(p) return orders:during(p):count() end }
