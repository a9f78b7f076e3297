"use strict";
// Loaded into the jsii runtime's Node.js process by officeless/tf.py (`node --require`), never by
// the app's users directly.
//
// Why: a prebuilt CDKTF provider's entry point, lib/index.js, is one line per submodule,
//     exports.vpc = require("./vpc");
// so loading the package runs every submodule: 2,135 files and 247 MB of JavaScript for
// @cdktf/provider-aws 20.1.0, about 2.8 s of a 2-core machine, for the ~60 the app uses. This is
// the JavaScript half of what tf.py does for the Python modules (see
// https://github.com/hashicorp/terraform-cdk/issues/3753). The jsii kernel finds a type by walking
// the package's exports (`closure.vpc.Vpc`), so each such line becomes a getter that requires the
// submodule on first access and then keeps it as a plain value. Nothing else in the file changes;
// a file of another shape is left alone (only slower). The test suite proves the synthesized JSON
// is byte-identical to the eager load.
const Module = require("module");
const fs = require("fs");
const path = require("path");

const SUBMODULE_EXPORT = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[^"\\]+)"\);$/gm;
const PROVIDER_PACKAGE = /^@cdktf\/provider-[a-z0-9-]+$/;

function isProviderEntryPoint(filename) {
  if (path.basename(filename) !== "index.js" || path.basename(path.dirname(filename)) !== "lib") {
    return false;
  }
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(filename), "..", "package.json"), "utf8"));
  } catch {
    return false;
  }
  return PROVIDER_PACKAGE.test(manifest.name) && path.normalize(manifest.main || "") === path.join("lib", "index.js");
}

function lazySubmoduleExports(source) {
  let count = 0;
  const text = source.replace(SUBMODULE_EXPORT, (_line, name, specifier) => {
    count += 1;
    const key = JSON.stringify(name);
    const spec = JSON.stringify(specifier);
    return `Object.defineProperty(exports, ${key}, { configurable: true, enumerable: true, get() { ` +
      `const m = require(${spec}); ` +
      `Object.defineProperty(exports, ${key}, { value: m, configurable: true, enumerable: true, writable: true }); ` +
      `return m; } });`;
  });
  return { text, count };
}

const compile = Module.prototype._compile;
Module.prototype._compile = function compileWithLazyProviderIndex(content, filename) {
  if (isProviderEntryPoint(filename)) {
    content = lazySubmoduleExports(content).text;
  }
  return compile.call(this, content, filename);
};

module.exports = { isProviderEntryPoint, lazySubmoduleExports };
