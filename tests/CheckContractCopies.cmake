# ctest `contract_copies`: the repository's copies of the contract are identical to the contract,
# except the annotated example, which holds every line of the contract's plus the keys Portico added.
#   cmake -DSOURCE_DIR=<repo> -DCONTRACT_DIR=<the contract folder, ../shared by default> -P CheckContractCopies.cmake
# A clone has no contract folder beside it; then the test prints "contract folder not found" and
# ctest reports it as skipped (SKIP_REGULAR_EXPRESSION), since there is nothing to compare with.
cmake_policy(VERSION 3.25)
if(NOT IS_DIRECTORY "${CONTRACT_DIR}/spec")
  message("contract folder not found at ${CONTRACT_DIR}: nothing to compare the copies with")
  return()
endif()

# repository copy -> contract file
set(pairs
  "docs/portico.example.yaml=spec/portico.example.yaml"
  "docs/portico.next.yaml=spec/portico.next.yaml"
  "docs/interfaces.md=spec/interfaces.md")
file(GLOB schemas RELATIVE "${CONTRACT_DIR}/reference/schemas" "${CONTRACT_DIR}/reference/schemas/*.json")
foreach(s ${schemas})
  list(APPEND pairs "tests/data/schemas/${s}=reference/schemas/${s}")
endforeach()
# A schema the contract dropped is stale here.
file(GLOB ours RELATIVE "${SOURCE_DIR}/tests/data/schemas" "${SOURCE_DIR}/tests/data/schemas/*.json")
set(problems "")
foreach(s ${ours})
  if(NOT s IN_LIST schemas)
    string(APPEND problems "tests/data/schemas/${s}: not in ${CONTRACT_DIR}/reference/schemas (remove it?)\n")
  endif()
endforeach()

foreach(pair ${pairs})
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 ours)
  list(GET pair 1 theirs)
  if(NOT EXISTS "${SOURCE_DIR}/${ours}")
    string(APPEND problems "${ours}: missing (cp ${CONTRACT_DIR}/${theirs} ${ours})\n")
    continue()
  endif()
  if(ours STREQUAL "docs/portico.example.yaml")
    # The project's own annotated example: the contract's lines plus the keys Portico added.
    execute_process(COMMAND python3 "${CMAKE_CURRENT_LIST_DIR}/contract_example_extends.py"
                            "${SOURCE_DIR}/${ours}" "${CONTRACT_DIR}/${theirs}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      string(APPEND problems "${out}")
    endif()
    continue()
  endif()
  file(SHA256 "${SOURCE_DIR}/${ours}" a)
  file(SHA256 "${CONTRACT_DIR}/${theirs}" b)
  if(NOT a STREQUAL b)
    string(APPEND problems "${ours}: differs from ${CONTRACT_DIR}/${theirs} "
                           "(diff -u ${ours} ${CONTRACT_DIR}/${theirs})\n")
  endif()
endforeach()
if(NOT problems STREQUAL "")
  message(FATAL_ERROR "the repository's contract copies are out of step:\n${problems}")
endif()
list(LENGTH pairs n)
message(STATUS "${n} contract copies match ${CONTRACT_DIR}")
