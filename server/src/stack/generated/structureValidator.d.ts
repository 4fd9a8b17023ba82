// Types of the generated structureValidator.js (see schemas/structureValidator.ts).
import type { ValidateFunction } from 'ajv';

declare const validateStructure: ValidateFunction;
export default validateStructure;
