// long-fill-in: an open answer for a tutor or analyst, never scored (fill-in.js's text handling).

quizKinds["long-fill-in"] = textKind(4000);
