// @requires lib/outcome.js
// @requires lib/scorm.js
// @requires lib/scorm12.js
// SCORM 1.2: the LMS's `API` object (LMSInitialize … LMSFinish). Everything is in the libraries.

function createAdapter(ctx) {
  return scormAdapter(ctx, scorm12Dialect());
}
