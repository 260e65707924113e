// The pages' npm bundles (web_demo/vendor/): the work is crosscheck/site/bundle_web.mjs, which the
// installed harness runs too (into its per-user cache).
import "../crosscheck/site/bundle_web.mjs";
