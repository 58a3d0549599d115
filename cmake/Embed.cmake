# pasip_embed(TARGET <lib> NAMESPACE <ns> BASE <dir> FILES <f>...)
# Builds a static library <lib> exposing, in namespace <ns>, the function
#   const std::vector<pasip::EmbeddedFile>& Files();
# with the content of every file (path relative to BASE). The source is generated in the
# build tree at build time, so editing a template or a migration re-embeds it.
set(PASIP_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/EmbedGenerate.cmake)

function(pasip_embed)
  cmake_parse_arguments(E "" "TARGET;NAMESPACE;BASE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${E_TARGET}_embedded.cc)
  # A ;-list cannot cross the command line intact: pass it |-separated.
  string(REPLACE ";" "|" files_arg "${E_FILES}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} -DBASE=${E_BASE}
            "-DFILES=${files_arg}" -P ${PASIP_EMBED_SCRIPT}
    DEPENDS ${E_FILES} ${PASIP_EMBED_SCRIPT}
    VERBATIM
    COMMENT "Embedding ${E_TARGET}")
  add_library(${E_TARGET} STATIC ${out})
  target_link_libraries(${E_TARGET} PUBLIC pasip_core)
endfunction()
