ruleset { name = "Limits" }
local t = {}
kpi "loop" { better = "higher", minimum = 1, target = 2,
  value = function(p) local s = "" while true do s = s .. "xxxxxxxxxxxxxxxx" t[#t + 1] = s end end }
