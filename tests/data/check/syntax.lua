-- syntax.lua -- the file does not parse: one error, nothing else is checked.
ruleset { name = "Check – syntax", currency = "VND" }

kpi "orders" { unit = "count" better = "higher", minimum = 1, target = 5,
  value = function(p) return 1 end }

kpi "revenue" { unit = "VND", tagret = 5 }
