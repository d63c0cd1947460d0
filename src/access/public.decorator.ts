import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'opsledger:public';
/** The route needs no token (only the public health check and its siblings use this). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
