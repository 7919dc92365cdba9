# ctest check of the install rules: `cmake -P CheckInstall.cmake` with
#   BUILD_DIR  the configured and built tree      PREFIX  an empty scratch prefix
#   GUI        ON if the portico GUI target exists APPSTREAMCLI  path of appstreamcli, or empty
# Installs into PREFIX and fails with a message for every file that is missing or inconsistent.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}${err}")
endif()

set(expected bin/portico-cli lib/systemd/system/portico.service share/doc/portico/portico.example.yaml)
if(GUI)
  list(APPEND expected bin/portico share/applications/io.portico.Portico.desktop
       share/metainfo/io.portico.Portico.metainfo.xml
       share/icons/hicolor/scalable/apps/io.portico.Portico.svg)
endif()
set(problems "")
foreach(f ${expected})
  if(NOT EXISTS "${PREFIX}/${f}")
    string(APPEND problems "missing: ${f}\n")
  endif()
endforeach()

file(READ "${PREFIX}/lib/systemd/system/portico.service" unit)
if(NOT unit MATCHES "ExecStart=/usr/bin/portico-cli serve -c /etc/portico/portico.yaml")
  string(APPEND problems "portico.service does not run portico-cli serve -c /etc/portico/portico.yaml\n")
endif()

if(GUI AND problems STREQUAL "")
  file(READ "${PREFIX}/share/applications/io.portico.Portico.desktop" desktop)
  if(NOT desktop MATCHES "\nIcon=io.portico.Portico\n" OR NOT desktop MATCHES "\nExec=portico ")
    string(APPEND problems "desktop entry must name Icon=io.portico.Portico and Exec=portico\n")
  endif()
  file(READ "${PREFIX}/share/metainfo/io.portico.Portico.metainfo.xml" metainfo)
  if(NOT metainfo MATCHES "<launchable type=\"desktop-id\">io.portico.Portico.desktop</launchable>")
    string(APPEND problems "metainfo launchable does not match the installed desktop file name\n")
  endif()
  if(APPSTREAMCLI)
    execute_process(COMMAND "${APPSTREAMCLI}" validate --no-net
                            "${PREFIX}/share/metainfo/io.portico.Portico.metainfo.xml"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      string(APPEND problems "appstreamcli validate failed:\n${out}${err}\n")
    endif()
  endif()
endif()

if(NOT problems STREQUAL "")
  message(FATAL_ERROR "install check failed:\n${problems}")
endif()
message(STATUS "install check passed (${PREFIX})")
