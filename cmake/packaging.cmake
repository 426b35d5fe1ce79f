# Packaging: where `cmake --install` and the Debian package put things, the man page made from
# the commands' own help, and CPack's Debian package (`cpack -G DEB` in the build directory after
# the normal build, or scripts/package.sh). Included last by the top-level CMakeLists.txt; it
# only adds to the targets defined there. Version: project(VERSION), as everywhere else.
if(NOT TARGET docker-dct)
  return()
endif()
include(GNUInstallDirs)

set(DCT_PLUGIN_INSTALL_DIR ${CMAKE_INSTALL_LIBEXECDIR}/docker/cli-plugins)
set(DCT_DOC_INSTALL_DIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/${PROJECT_NAME})
set(DCT_PACKAGE_FILES ${CMAKE_CURRENT_BINARY_DIR}/package)
string(JSON DCT_HOMEPAGE GET "${DCT_METADATA_JSON}" URL)  # the plugin metadata's URL
set(DCT_PACKAGE_MAINTAINER "docker-dct project <maintainers@docker-dct.invalid>"
    CACHE STRING "Maintainer field of the Debian package and its changelog")

# docker-trust-pull and docker-trust-push on the PATH: relative links to the plugin binary.
file(MAKE_DIRECTORY ${DCT_PACKAGE_FILES}/bin ${DCT_PACKAGE_FILES}/man ${DCT_PACKAGE_FILES}/doc)
file(RELATIVE_PATH DCT_PLUGIN_FROM_BIN /prefix/${CMAKE_INSTALL_BINDIR}
     /prefix/${DCT_PLUGIN_INSTALL_DIR}/docker-dct)
foreach(alias docker-trust-pull docker-trust-push)
  file(CREATE_LINK ${DCT_PLUGIN_FROM_BIN} ${DCT_PACKAGE_FILES}/bin/${alias} SYMBOLIC)
  file(CREATE_LINK docker-dct.1.gz ${DCT_PACKAGE_FILES}/man/${alias}.1.gz SYMBOLIC)
  install(FILES ${DCT_PACKAGE_FILES}/bin/${alias} DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${DCT_PACKAGE_FILES}/man/${alias}.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endforeach()

# The man page, from `docker-dct __commands` and every command's --help.
find_program(DCT_PYTHON3 python3 REQUIRED)
find_program(DCT_GZIP gzip REQUIRED)
set(DCT_MAN_PAGE ${DCT_PACKAGE_FILES}/man/docker-dct.1)
add_custom_command(
  OUTPUT ${DCT_MAN_PAGE} ${DCT_MAN_PAGE}.gz
  COMMAND ${DCT_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/make_manpage.py $<TARGET_FILE:docker-dct>
          ${PROJECT_VERSION} ${DCT_MAN_PAGE}
  COMMAND ${DCT_GZIP} -9nkf ${DCT_MAN_PAGE}
  DEPENDS docker-dct ${PROJECT_SOURCE_DIR}/scripts/make_manpage.py
  COMMENT "Writing the docker-dct(1) man page from the commands' help" VERBATIM)
add_custom_target(docker-dct-man ALL DEPENDS ${DCT_MAN_PAGE}.gz)
install(FILES ${DCT_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# /usr/share/doc/docker-dct: README, copyright (DEP-5) and changelog, compressed as Debian wants.
string(TIMESTAMP DCT_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)  # SOURCE_DATE_EPOCH wins
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/changelog.in ${DCT_PACKAGE_FILES}/doc/changelog
               @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/README.md ${DCT_PACKAGE_FILES}/doc/README.md COPYONLY)
add_custom_command(
  OUTPUT ${DCT_PACKAGE_FILES}/doc/changelog.gz ${DCT_PACKAGE_FILES}/doc/README.md.gz
  COMMAND ${DCT_GZIP} -9nkf ${DCT_PACKAGE_FILES}/doc/changelog ${DCT_PACKAGE_FILES}/doc/README.md
  DEPENDS ${DCT_PACKAGE_FILES}/doc/changelog ${DCT_PACKAGE_FILES}/doc/README.md VERBATIM)
add_custom_target(docker-dct-doc ALL DEPENDS ${DCT_PACKAGE_FILES}/doc/changelog.gz
                                             ${DCT_PACKAGE_FILES}/doc/README.md.gz)
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/copyright.in ${DCT_PACKAGE_FILES}/doc/copyright
               @ONLY)
install(FILES ${DCT_PACKAGE_FILES}/doc/README.md.gz ${DCT_PACKAGE_FILES}/doc/changelog.gz
              ${DCT_PACKAGE_FILES}/doc/copyright
        DESTINATION ${DCT_DOC_INSTALL_DIR})

# The Debian package: docker-dct_<version>_<arch>.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${PROJECT_NAME})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "docker dct signs and verifies container images with Docker Content Trust
(Notary v1, TUF) for every Docker CLI, including those that no longer have
content trust built in. It reads and writes the same trust data as the notary
client and docker trust, and takes a tag only from targets/releases or targets
signatures.

It runs as a Docker CLI plugin (docker dct), standalone (docker-dct) and as
docker-trust-pull and docker-trust-push. The Docker CLI is needed for pull,
push and build only.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${DCT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${DCT_HOMEPAGE}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# resolve, sign and the other trust commands run without docker; pull, push and build run it.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker-ce-cli | docker.io")
set(CPACK_DEBIAN_PACKAGE_ENHANCES "docker-ce-cli, docker.io")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                                GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
