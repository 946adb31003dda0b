// `node [FLAGS] scripts/code-cache.cjs BUNDLE`: writes BUNDLE's V8 code cache for those Node flags
// (bin/require-cached.js), run by scripts/bundle.js under each set of flags the bundle runs with.
'use strict';

require('../bin/require-cached.js').writeCodeCache(process.argv[2]);
