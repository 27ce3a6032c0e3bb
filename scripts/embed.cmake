# Turn a Lua file into a C header holding it as a string constant (IN, OUT, NAME).
file(READ ${IN} content HEX)
# Character literals, not 0x.. integers: a byte above 0x7f (UTF-8 text) must not overflow a
# signed char under -Werror.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE ${OUT} "/* generated from ${IN}; do not edit */\nstatic const char ${NAME}[] = {${bytes}0x00};\n")
