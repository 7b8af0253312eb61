/* placeholder: written by its module's author */
