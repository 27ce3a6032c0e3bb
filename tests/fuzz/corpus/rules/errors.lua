ruleset { name = "Errors" }
local o = source "o" { csv = "data.csv", time = "date" }
kpi "a" { better = "higher", minimum = 1, target = 2, value = function(p, k) return k.b end }
kpi "b" { better = "higher", minimum = 1, target = 2, value = function(p, k) return k.a end }
kpi "c" { better = "hihger", minimum = 1, target = 2, valeu = function(p) return 1 end }
