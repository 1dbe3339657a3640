# The Debian package: `cpack -G DEB` in a build folder makes topdown-net_<version>-1_<arch>.deb
# from what `cmake --install` puts under /usr, plus the Debian copyright and changelog files.
# Included from the top-level CMakeLists.txt, after the programs' install rules.

set(TOPDOWN_DEB_MAINTAINER "topdown-net contributors <topdown-net@example.org>"
    CACHE STRING "The Maintainer field of the .deb (Name <address>)")

# Debian wants these two in /usr/share/doc/<package>/ of every package: the licence in DEP-5
# form, and a gzipped changelog (a package with a Debian revision, -1, is not "native").
set(TOPDOWN_DEB_REVISION 1)
set(TOPDOWN_DEB_VERSION ${PROJECT_VERSION}-${TOPDOWN_DEB_REVISION})
string(TIMESTAMP TOPDOWN_DEB_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)  # honours SOURCE_DATE_EPOCH
configure_file(${CMAKE_CURRENT_LIST_DIR}/changelog.Debian.in
               ${PROJECT_BINARY_DIR}/deb/changelog.Debian @ONLY)
if(GZIP_PROGRAM)
  add_custom_command(
    OUTPUT ${PROJECT_BINARY_DIR}/deb/changelog.Debian.gz
    COMMAND ${GZIP_PROGRAM} -9nkf ${PROJECT_BINARY_DIR}/deb/changelog.Debian
    DEPENDS ${PROJECT_BINARY_DIR}/deb/changelog.Debian
    VERBATIM)
  add_custom_target(deb_changelog ALL DEPENDS ${PROJECT_BINARY_DIR}/deb/changelog.Debian.gz)
  set(changelog ${PROJECT_BINARY_DIR}/deb/changelog.Debian.gz)
else()
  set(changelog ${PROJECT_BINARY_DIR}/deb/changelog.Debian)
endif()
# Only in the package: `cmake --install` has LICENSE and README.md, and no Debian history.
install(FILES ${changelog} ${CMAKE_CURRENT_LIST_DIR}/copyright
        DESTINATION ${TOPDOWN_DOC_DIR} COMPONENT debian EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME topdown-net)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "topdown-net contributors")
set(CPACK_PACKAGE_CONTACT "${TOPDOWN_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "socket-programming assignments of Kurose & Ross as real tools")
# The Description field: the summary above is its first line, this the text under it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "The socket-programming assignments of Computer Networking: A Top-Down Approach
as small, fast command-line tools, each readable next to the book:
tcp_server and tcp_client, udp_server and udp_client (an upper-casing echo),
web_server (static files over HTTP/1.1), udp_ping and udp_ping_server (ping
over UDP, with simulated loss), mail_server (an SMTP sink storing to a Maildir
or mbox), mail_client (sends a message, with STARTTLS and AUTH) and web_proxy
(a caching HTTP/1.1 forward proxy with CONNECT).")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${TOPDOWN_DEB_REVISION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # topdown-net_0.1.0-1_amd64.deb
# Depends: from the binaries themselves (dpkg-shlibdeps): libc6, libstdc++6, libgcc-s1, and
# libssl3 when built with TLS.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)  # Debian ships stripped binaries; the build tree keeps its symbols
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# One package of two install components: the programs, pages, completion and README (the
# unnamed one), and the Debian files; LICENSE (component `license`) is left out, as the copyright
# file says the same.
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${PROJECT_BINARY_DIR};${PROJECT_NAME};Unspecified;/"
    "${PROJECT_BINARY_DIR};${PROJECT_NAME};debian;/")
include(CPack)
