import type { ValidationError } from '../errors/validation-error.js';

/** A `ValidationError` about the requests of one input file, so the message can name the file. */
export class InputFileError extends Error {
  readonly file: string;
  readonly validation: ValidationError;

  constructor(file: string, validation: ValidationError) {
    super(`${file}: ${validation.message}`, { cause: validation });
    this.name = 'InputFileError';
    this.file = file;
    this.validation = validation;
  }
}
