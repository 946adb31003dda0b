// `node scripts/code-cache.cjs BUNDLE`: writes BUNDLE's V8 code cache for the Node flags it runs
// under (none: bin/require-cached.js), run by scripts/bundle.js after each bundle is built.
'use strict';

require('../bin/require-cached.js').writeCodeCache(process.argv[2]);
