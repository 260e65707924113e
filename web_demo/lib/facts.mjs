// The facts both languages read: python_core/facts.json, bundled as vendor/facts.mjs by
// scripts/bundle-web.mjs (so the same import works in a page, a worker and Node).
import FACTS from "../vendor/facts.mjs";

export { FACTS };
export const LESSON_EXAMPLE = Object.freeze(FACTS.lesson_example);
export const SATURATED_EXAMPLE = Object.freeze(FACTS.saturated_example);
export const FLAG_BITS_LOST = FACTS.flag_bits_lost;
export const ACTIVATIONS = FACTS.activations;
export const ACTIVATION_NAMES = Object.keys(FACTS.activations);
export const SPEC_FIELDS = FACTS.spec_fields;
export const MATRIX_FIELDS = FACTS.spec_fields.filter((f) => f !== "activation");
export const RESULT_ARRAYS = FACTS.result_arrays;
export const TOLERANCE = Object.freeze(FACTS.tolerance);
export const EXERCISE_TOLERANCE = Object.freeze(FACTS.exercise.tolerance);
export const EXERCISE_HIDDEN_SHAPES = FACTS.exercise.hidden_shapes;
