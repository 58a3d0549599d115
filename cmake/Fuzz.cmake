# pasip_fuzzer(<name> <source> <library>): a libFuzzer harness, built only with
# -DPASIP_FUZZ=ON (clang; see the top CMakeLists.txt and `make fuzz`).
function(pasip_fuzzer name source library)
  if(PASIP_FUZZ)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE ${library})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  endif()
endfunction()
