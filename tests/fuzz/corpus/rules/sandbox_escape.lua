ruleset { name = "Sandbox" }
local ok = pcall(function() return io.open("/etc/passwd") end)
local ok2 = pcall(load, "\27Lua")
local ok3 = pcall(string.dump, function() end)
local ok4 = pcall(require, "../../etc/passwd")
local o = source "o" { csv = "../outside.csv", time = "date" }
kpi "x" { better = "higher", minimum = 1, target = 2, value = function(p) return os.time() end }
