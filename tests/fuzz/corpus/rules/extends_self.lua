extends "rules.lua"
ruleset { name = "Self" }
