# ctest check of the install rules and of the .deb: `cmake -P CheckInstall.cmake` with
#   BUILD_DIR  the configured and built tree      PREFIX  an empty scratch directory
#   GUI        ON if the portico GUI target exists APPSTREAMCLI  path of appstreamcli, or empty
#   DEB        ON: build the .deb with `cpack -G DEB`, run lintian on it (any error or warning fails),
#              unpack it with `dpkg-deb -x` into PREFIX/root and check that tree (packaging_deb);
#              OFF: `cmake --install` into PREFIX (packaging_install)
# Then checks every file is where it belongs, runs the installed portico-cli (--version, check on
# the installed example), checks changelog.gz names this version, the man page has its sections and
# `man` renders it, and compares the bash completion with portico-cli's --help.
# Fails with a message for every file that is missing or inconsistent.
cmake_policy(VERSION 3.25)
file(REMOVE_RECURSE "${PREFIX}")
file(MAKE_DIRECTORY "${PREFIX}")
set(problems "")

if(DEB)
  foreach(tool dpkg-deb dpkg-shlibdeps lintian)
    find_program(${tool}_exe ${tool})
    if(NOT ${tool}_exe)
      message(FATAL_ERROR "packaging_deb needs ${tool}: bash packaging/install-deps.sh installs it")
    endif()
  endforeach()
  get_filename_component(cmake_bin "${CMAKE_COMMAND}" DIRECTORY)
  execute_process(COMMAND "${cmake_bin}/cpack" -G DEB --config "${BUILD_DIR}/CPackConfig.cmake" -B "${PREFIX}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  file(GLOB deb "${PREFIX}/*.deb")
  if(NOT rc EQUAL 0 OR NOT deb)
    message(FATAL_ERROR "cpack -G DEB failed (${rc}):\n${out}${err}")
  endif()
  message(STATUS "built ${deb}")
  # Every tag at warning level or above fails. The package needs no override; should one ever be
  # needed, install it as share/lintian/overrides/portico with a comment saying why.
  execute_process(COMMAND "${lintian_exe}" --fail-on error,warning --tag-display-limit 0 --allow-root "${deb}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(APPEND problems "lintian (exit ${rc}):\n${out}${err}\n")
  elseif(NOT out STREQUAL "")
    message(STATUS "lintian, below warning level:\n${out}")
  endif()
  execute_process(COMMAND "${dpkg-deb_exe}" --field "${deb}" Depends OUTPUT_VARIABLE depends)
  if(NOT depends MATCHES "libc6" OR NOT depends MATCHES "libqt6core6")
    string(APPEND problems "Depends is not computed by dpkg-shlibdeps (no libc6, libqt6core6): ${depends}\n")
  endif()
  execute_process(COMMAND "${dpkg-deb_exe}" -x "${deb}" "${PREFIX}/root" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-deb -x failed: ${err}")
  endif()
  set(PREFIX "${PREFIX}/root/usr")
else()
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}${err}")
  endif()
endif()

set(doc share/doc/portico)
set(expected bin/portico-cli lib/systemd/system/portico.service share/man/man1/portico-cli.1.gz
    share/bash-completion/completions/portico-cli ${doc}/copyright ${doc}/changelog.gz
    ${doc}/portico.example.yaml ${doc}/getting-started.md ${doc}/nginx-mapping.md)
if(GUI)
  list(APPEND expected bin/portico share/man/man1/portico.1.gz share/applications/io.portico.Portico.desktop
       share/metainfo/io.portico.Portico.metainfo.xml
       share/icons/hicolor/scalable/apps/io.portico.Portico.svg)
endif()
foreach(f ${expected})
  if(NOT EXISTS "${PREFIX}/${f}")
    string(APPEND problems "missing: ${f}\n")
  endif()
endforeach()
if(NOT problems STREQUAL "")
  message(FATAL_ERROR "install check failed:\n${problems}")
endif()

file(READ "${PREFIX}/lib/systemd/system/portico.service" unit)
if(NOT unit MATCHES "ExecStart=/usr/bin/portico-cli serve -c /etc/portico/portico.yaml")
  string(APPEND problems "portico.service does not run portico-cli serve -c /etc/portico/portico.yaml\n")
endif()

# The installed executable, on the installed example.
set(cli "${PREFIX}/bin/portico-cli")
execute_process(COMMAND "${cli}" --version RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^portico-cli ([0-9]+\\.[0-9]+[^\n]*)")
  string(APPEND problems "installed portico-cli --version failed (${rc}): ${out}${err}\n")
else()
  # The newest changelog entry is this version (add one to packaging/debian/changelog on a bump).
  set(version "${CMAKE_MATCH_1}")
  execute_process(COMMAND gzip -dc "${PREFIX}/${doc}/changelog.gz" OUTPUT_VARIABLE changelog)
  string(FIND "${changelog}" "portico (${version}) " at)
  if(NOT at EQUAL 0)
    string(APPEND problems "changelog.gz does not start with an entry for portico (${version})\n")
  endif()
endif()
execute_process(COMMAND "${cli}" check -c "${PREFIX}/${doc}/portico.example.yaml"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES ": ok\n$")
  string(APPEND problems "installed portico-cli check on the installed example failed (${rc}): ${out}${err}\n")
endif()

# The man page has a section per command, the filter language, the files and the exit status.
execute_process(COMMAND gzip -dc "${PREFIX}/share/man/man1/portico-cli.1.gz" OUTPUT_VARIABLE man)
foreach(section "SH COMMANDS" "SS serve" "SS check" "SS export" "SS import" "SS traffic" "SS replay"
        "SH FILTER LANGUAGE" "SH FILES" "SH EXIT STATUS" "SH OPTIONS")
  if(NOT man MATCHES "\n\\.${section}\n")
    string(APPEND problems "portico-cli.1 has no .${section}\n")
  endif()
endforeach()

# `man portico-cli` finds and renders the installed page (man-db, as a user would after install).
find_program(MAN_exe man)
if(MAN_exe)
  execute_process(COMMAND "${MAN_exe}" -M "${PREFIX}/share/man" -P cat portico-cli
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "FILTER LANGUAGE")
    string(APPEND problems "man portico-cli failed (${rc}): ${err}\n")
  endif()
endif()

# The completion knows every command, every option of every command and every --to target.
file(READ "${PREFIX}/share/bash-completion/completions/portico-cli" completion)
execute_process(COMMAND "${cli}" --help OUTPUT_VARIABLE top)
string(REGEX MATCHALL "\n  [a-z][a-z-]*" commands "${top}")
foreach(c ${commands})
  string(STRIP "${c}" c)
  if(NOT completion MATCHES "[ \"]${c}[ \"]")
    string(APPEND problems "bash completion lacks the command or topic '${c}'\n")
  endif()
  execute_process(COMMAND "${cli}" ${c} --help OUTPUT_VARIABLE help ERROR_VARIABLE ignored RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    # The options: those listed (an indented line starting with -) and those in the usage lines.
    string(REGEX MATCHALL "\n +--?[a-z][a-z-]*(, --[a-z][a-z-]*)?" listed "\n${help}")
    string(REGEX MATCHALL "(^|\n)(Usage:|       portico-cli)[^\n]*" usage "${help}")
    string(REGEX REPLACE "[][|]" " " usage "${usage}") # brackets would upset CMake's lists
    string(REGEX MATCHALL " --?[a-z][a-z-]*" used "${usage}")
    string(REPLACE "," ";" listed "${listed}")
    set(options "")
    foreach(o ${listed} ${used})
      string(STRIP "${o}" o)
      list(APPEND options "${o}")
    endforeach()
    list(REMOVE_DUPLICATES options)
    foreach(o ${options})
      if(NOT completion MATCHES "[ \"'(]${o}[ \"')]")
        string(APPEND problems "bash completion lacks '${c} ${o}'\n")
      endif()
    endforeach()
  endif()
endforeach()
execute_process(COMMAND "${cli}" export --help OUTPUT_VARIABLE help)
if(help MATCHES "--to ([a-z|]+)")
  string(REPLACE "|" ";" targets "${CMAKE_MATCH_1}")
  foreach(t ${targets})
    if(NOT completion MATCHES "-W '[^']*${t}[ ']")
      string(APPEND problems "bash completion lacks --to ${t}\n")
    endif()
  endforeach()
else()
  string(APPEND problems "portico-cli export --help names no --to targets\n")
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
