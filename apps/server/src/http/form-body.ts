import { AppError } from '@b24app/core';
import express, { type RequestHandler } from 'express';
import { type FormRecord, parseBracketForm } from '../b24/bracket-form.js';

const readText = express.text({ type: 'application/x-www-form-urlencoded', limit: '64kb', defaultCharset: 'utf-8' });

/**
 * Reads a Bitrix24 form body (bounded) and parses its bracket notation into `res.locals.form`.
 * Anything that is not a form is the client's mistake: 415, never a 5xx.
 */
export const formBody: RequestHandler = (req, res, next) => {
  if (!req.is('application/x-www-form-urlencoded')) {
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Expected an application/x-www-form-urlencoded body'));
    return;
  }
  readText(req, res, (err?: unknown) => {
    if (err) return next(err);
    try {
      res.locals.form = parseBracketForm(typeof req.body === 'string' ? req.body : '');
      next();
    } catch (e) {
      next(e);
    }
  });
};

export const formOf = (res: { locals: Record<string, unknown> }): FormRecord => res.locals.form as FormRecord;
