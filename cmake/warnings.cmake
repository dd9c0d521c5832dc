# Strict warnings and hardening for every petrel target (STYLE.md "Build").
add_compile_options(
  -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual
  -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wwrite-strings
  -Wnull-dereference -Wimplicit-fallthrough -Wno-unused-parameter
  -fno-common -fstack-protector-strong)
if(NOT PETREL_SANITIZE)
  add_compile_definitions($<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
endif()
add_link_options(-Wl,-z,relro,-z,now)
if(PETREL_WERROR)
  add_compile_options(-Werror)
endif()
if(PETREL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(PETREL_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
