# Writes the service worker (sw.js) into the assembled page: its version is a SHA-256 over every
# file it keeps, so that any change to the page is a new worker. Run at build time:
#   cmake -DSOURCE=sw.js -DOUTPUT=www/sw.js -DDIR=www -DFILES=index.html,app.js,... -P make_sw.cmake
string(REPLACE "," ";" FILES "${FILES}")
set(hashes "")
set(quoted "")
foreach(file ${FILES})
  file(SHA256 ${DIR}/${file} hash)
  string(APPEND hashes "${file}:${hash}\n")
  list(APPEND quoted "'${file}'")
endforeach()
string(SHA256 version "${hashes}")
string(SUBSTRING ${version} 0 16 TABLET_VERSION)
list(JOIN quoted ", " TABLET_FILES)
configure_file(${SOURCE} ${OUTPUT} @ONLY)
