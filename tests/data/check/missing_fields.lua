-- missing_fields.lua -- declarations without a required field.
ruleset { name = "Check – missing", currency = "VND" }

local orders = source "orders" { csv = "data/orders.csv", time = "date" }
local spend = source "spend" { time = "date" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 100, target = 300 }
kpi "orders" { unit = "count", minimum = 1, target = 5,
  value = function(p) return orders:during(p):count() end }
kpi "spend" { unit = "VND", better = "lower", minimum = 500,
  value = function(p) return spend:during(p):sum "cost" end }

review "monthly" { day = 5 }
