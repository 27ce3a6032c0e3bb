-- units.lua -- units that do not fit: only warnings, so the check passes.
ruleset { name = "Check – units", currency = "VND" }

local orders = source "orders" { csv = "data/orders.csv", time = "date" }

kpi "orders" { unit = "cout", better = "higher", minimum = 1, target = 5,
  value = function(p) return orders:during(p):count() end }
kpi "revenue" { unit = "USD", better = "higher", minimum = 100, target = 300,
  value = function(p) return orders:during(p):sum "amount" end }
kpi "web_share" { unit = "ratio", better = "higher", minimum = 0.5, target = 150,
  value = function(p) return orders:during(p):where { channel = "web" }:count()
                             / orders:during(p):count() end }
kpi "repeat_rate" { unit = "%", better = "higher", minimum = 35, target = 45,
  value = function(p) return 0.4 end }
kpi "visits" { unit = "visits", better = "higher", minimum = 10, target = 20,
  value = function(p) return 12 end }
