-- columns.lua -- columns the source lacks, and an aggregate over the wrong type.
ruleset { name = "Check – columns", currency = "VND" }

local orders = source "orders" { csv = "data/orders.csv", time = "date" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 100, target = 300,
  value = function(p) return orders:during(p):sum "amont" end }
kpi "channels" { unit = "VND", better = "higher", minimum = 1, target = 2,
  value = function(p) return orders:during(p):sum "channel" end }
kpi "orders" { unit = "count", better = "higher", minimum = 1, target = 5,
  value = function(p) return orders:during(p):count() end,
  breakdown = function(p) return orders:during(p):by "chanel":count() end }
