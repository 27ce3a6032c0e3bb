-- unknown_fields.lua -- misspelt fields: every one is listed, with a suggestion.
ruleset { name = "Check – fields", currency = "VND", grian = "month" }

local orders = source "orders" { csv = "data/orders.csv", tiem = "date" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 100, tagret = 300, target = 300,
  value = function(p) return orders:during(p):sum "amount" end }
kpi "orders" { unit = "count", better = "higher", minimum = 1, target = 5, ownr = "Sales",
  value = function(p) return orders:during(p):count() end }

review "monthly" { evrey = "month" }
